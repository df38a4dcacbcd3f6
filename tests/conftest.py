"""Shared fixtures: the demo warehouse is built once per test session by the real pipeline (in a child
process started as the session starts; the modules that do not need it run meanwhile). Under
pytest-xdist (`make test`) the controller starts that child, once for all workers."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from app.service_model import ServiceModel, load_service_model
from app.settings import DATA_DIR
from app.warehouse.connection import connect
from tests.demo_build import BuiltElsewhere, DemoBuilds, build_demo, demo_copy

SERVICE_MODEL_PATH = DATA_DIR / "service_model.yaml"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def model() -> ServiceModel:
    return load_service_model(SERVICE_MODEL_PATH)


# The demo companies a session may need: fixture name -> scale. Built in a child process, in this order.
DEMOS = {"demo_dir": 1.0, "small_demo_dir": 0.15}
SHARED_DEMOS = pytest.StashKey[tuple]()  # in an xdist controller: (its DemoBuilds, {fixture: folder}, base)


def _needs_a_demo(item: pytest.Item) -> bool:
    return any(name in item.fixturenames for name in DEMOS)


def _is_browser_test(item: pytest.Item) -> bool:
    return item.path.parent.name == "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Test modules that need no demo warehouse run first, while `_demo_builds` builds them; under
    pytest-xdist the browser tests come before them (see `pytest_xdist_make_scheduler`)."""
    needs_demo: dict[Path, bool] = {}
    for item in items:
        needs_demo[item.path] = needs_demo.get(item.path, False) or _needs_a_demo(item)
    xdist_worker = hasattr(config, "workerinput")
    items.sort(key=lambda item: (xdist_worker and not _is_browser_test(item), needs_demo[item.path]))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist (`make test` runs two workers): a test module is one unit of work, so its
    module-scoped fixtures and warm caches are made once, and all browser tests are one unit, handed
    out first: one worker waits for the demo, then drives the one app server and Chromium (mostly
    waiting on them), while the other runs everything else. Units go out in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class ModulesAndBrowser(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/browser" if nodeid.startswith("tests/browser/") else nodeid.split("::", 1)[0]

    config.option.loadscopereorder = False
    return ModulesAndBrowser(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist, in the controller as it starts each worker: the demo warehouses are built once,
    by the controller's child process, for every worker (a build per worker would cost each ~40 CPU-s
    on a two-core machine); the workers wait for the folders named in their `workerinput`."""
    config = node.config
    if SHARED_DEMOS not in config.stash:
        base = Path(tempfile.mkdtemp(prefix="cxlens-demos-"))
        folders = {name: base / name.removesuffix("_dir") for name in DEMOS}
        for folder in folders.values():
            folder.mkdir()
        config.stash[SHARED_DEMOS] = (DemoBuilds([(folders[n], DEMOS[n]) for n in DEMOS]), folders, base)
    _builds, folders, _base = config.stash[SHARED_DEMOS]
    node.workerinput["cxlens_demos"] = {name: str(folder) for name, folder in folders.items()}


def pytest_unconfigure(config: pytest.Config) -> None:
    if SHARED_DEMOS in config.stash:
        builds, _folders, base = config.stash[SHARED_DEMOS]
        builds.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _demo_builds(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """As the session starts, begin building the demo warehouses its tests need in a child process
    (tests/demo_build.py): the builds then run on the other core while the modules that need none
    run, instead of holding up the first test that needs one. Yields (the builds, {fixture: folder})."""
    shared = getattr(request.config, "workerinput", {}).get("cxlens_demos")
    if shared:  # an xdist worker: the controller builds them (pytest_configure_node)
        yield BuiltElsewhere(), {name: Path(folder) for name, folder in shared.items()}
        return
    wanted = [name for name in DEMOS if any(name in item.fixturenames for item in request.session.items)]
    if not wanted:
        yield None, {}
        return
    folders = {name: tmp_path_factory.mktemp(name.removesuffix("_dir")) for name in wanted}
    builds = DemoBuilds([(folders[name], DEMOS[name]) for name in wanted])
    yield builds, folders
    builds.stop()


def _demo(name: str, demo_builds: tuple, tmp_path_factory: pytest.TempPathFactory) -> Path:
    builds, folders = demo_builds
    if name not in folders:  # asked for by name at run time only: build it here
        folder = tmp_path_factory.mktemp(name.removesuffix("_dir"))
        build_demo(folder, DEMOS[name])
        return folder
    return builds.wait(folders[name])


@pytest.fixture(scope="session")
def demo_dir(_demo_builds: tuple, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding warehouse.duckdb with the full demo company, archive/ and ground_truth.json."""
    return _demo("demo_dir", _demo_builds, tmp_path_factory)


@pytest.fixture(scope="session")
def small_demo_dir(_demo_builds: tuple, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company at 15 % scale (same layout): enough answers for a few key-driver models, too
    few for many segments."""
    return _demo("small_demo_dir", _demo_builds, tmp_path_factory)


@pytest.fixture(scope="session")
def demo_db(demo_dir: Path) -> Path:
    return demo_dir / "warehouse.duckdb"


@pytest.fixture(scope="session")
def ground_truth(demo_dir: Path) -> dict:
    return json.loads((demo_dir / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture
def demo_con(demo_db: Path):
    """A read-only connection to the shared demo warehouse (tests must not change it)."""
    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


@pytest.fixture
def demo_env(demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app's settings at a private copy of the demo warehouse (for AppTest and writes)."""
    folder = tmp_path / "demo"
    shutil.copytree(demo_dir, folder)
    monkeypatch.setenv("CXLENS_DB", str(folder / "warehouse.duckdb"))
    monkeypatch.setenv("CXLENS_GROUND_TRUTH", str(folder / "ground_truth.json"))
    monkeypatch.setenv("CXLENS_ARCHIVE", str(folder / "archive"))
    return folder


@pytest.fixture(scope="module")
def module_demo_env(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Like `demo_env`, but one copy for all tests of a module that only READ the warehouse: the app's
    caches (keyed by warehouse path and data version) stay warm between them, where a copy per test
    starts every AppTest cold (about twice as slow). Tests that write use `demo_env`."""
    with demo_copy(demo_dir, tmp_path_factory, "module_demo") as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CXLENS_DB", str(folder / "warehouse.duckdb"))
        patch.setenv("CXLENS_GROUND_TRUTH", str(folder / "ground_truth.json"))
        patch.setenv("CXLENS_ARCHIVE", str(folder / "archive"))
        yield folder


@pytest.fixture(scope="session")
def clients_warehouse(tmp_path_factory: pytest.TempPathFactory, model: ServiceModel) -> Path:
    """A closed warehouse file with the schema and tests/data/clients_small.csv (C1–C3, batch 1), built
    once: the first load into an empty warehouse creates every mart (~1 s), a copy takes milliseconds.
    Copy it with `clients_con` or `copy_warehouse`; never open it for writing."""
    from app.warehouse.schema import ensure_schema
    from pipelines.load import load_file

    folder = tmp_path_factory.mktemp("clients_small")
    con = connect(folder / "warehouse.duckdb")
    try:
        ensure_schema(con, model)
        result = load_file(con, model, "clients", TEST_DATA / "clients_small.csv", archive_dir=folder / "archive")
        assert result.status == "loaded", result.message
    finally:
        con.close()
    return folder / "warehouse.duckdb"


@pytest.fixture
def clients_con(clients_warehouse: Path, tmp_path: Path):
    """A connection to a private copy of `clients_warehouse` at tmp_path/warehouse.duckdb."""
    from pipelines.personal_data import copy_warehouse

    copy_warehouse(clients_warehouse, tmp_path / "warehouse.duckdb")
    con = connect(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


@pytest.fixture
def empty_con(tmp_path: Path, model: ServiceModel):
    """A fresh, empty warehouse on disk with the schema in place."""
    from app.warehouse.schema import ensure_schema

    con = connect(tmp_path / "warehouse.duckdb")
    ensure_schema(con, model)
    yield con
    con.close()
