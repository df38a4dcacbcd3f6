"""The Data page's write actions: the only places where the browser changes the warehouse.

Three functions — load a validated file as a batch, undo a batch, save a column mapping — each
checked on the server for the analyst role (app.auth.guard) before it touches anything, whatever the
page showed; the page itself is registered for analysts too. Each works on the session's own
cursor; a load or an undo is one DuckDB transaction (pipelines.load), so a failure midway leaves
the warehouse as it was, and the data version moves only when it commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.auth.guard import requires_role
from app.settings import get_settings
from app.ui.context import cursor, service_model
from app.ui.views.data_files import Upload
from pipelines.load import ProgressFn, find_loaded_batch, list_batches, rollback_batch, write_batch
from pipelines.mapping import save_mapping
from pipelines.validate import ValidationResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActionOutcome:
    """What happened, for the page to say in the reader's language."""

    status: str  # loaded | already_loaded | failed | undone | cancelled | skipped (nothing written)
    file_name: str
    source: str
    batch_id: int | None = None
    rows: int = 0  # rows written (load) or removed (undo)
    rows_left_out: int = 0
    error: str | None = None


@requires_role("analyst")
def load_validated_file(
    upload: Upload,
    validation: ValidationResult,
    progress: ProgressFn,
    mapping_to_save: dict[str, str | None] | None = None,
) -> ActionOutcome:
    """Write the good rows of a validated file as one batch; remember its mapping once it is in."""
    con = cursor()
    base = {"file_name": upload.name, "source": validation.source}
    existing = find_loaded_batch(con, validation.source, upload.sha256)
    if existing:  # another session (or tab) loaded the same file meanwhile
        return ActionOutcome("already_loaded", batch_id=int(existing[0]), **base)
    try:
        result = write_batch(
            con, service_model(), validation, upload.data, get_settings().archive_dir, progress
        )
    except Exception as exc:  # write_batch rolled back; say so instead of showing a traceback
        log.exception("loading %s failed", upload.name)
        return ActionOutcome(
            "failed", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__, **base
        )
    if mapping_to_save:
        save_mapping(con, validation.source, mapping_to_save)
    return ActionOutcome(
        "loaded",
        batch_id=result.batch_id,
        rows=result.rows_accepted,
        rows_left_out=result.rows_rejected,
        **base,
    )


@requires_role("analyst")
def undo_batch(batch_id: int) -> ActionOutcome:
    """Remove every row of a batch and rebuild the marts, in one transaction."""
    con = cursor()
    batches = list_batches(con).filter(batch_id=batch_id).to_dicts()
    if not batches:
        return ActionOutcome("failed", "", "", batch_id, error=f"there is no batch {batch_id}")
    batch = batches[0]
    base = {"file_name": batch["file_name"], "source": batch["source"], "batch_id": batch_id}
    try:
        rollback_batch(con, service_model(), batch_id)
    except LookupError as exc:  # undone by someone else meanwhile
        return ActionOutcome("failed", error=str(exc), **base)
    except Exception as exc:
        log.exception("undoing batch %s failed", batch_id)
        return ActionOutcome(
            "failed", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__, **base
        )
    return ActionOutcome("undone", rows=int(batch["rows_accepted"]), **base)


@requires_role("analyst")
def save_column_mapping(source: str, mapping: dict[str, str | None]) -> None:
    """Remember header → column for the next file of this source (None forgets a header)."""
    save_mapping(cursor(), source, mapping)
