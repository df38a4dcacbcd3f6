"""The per-warehouse secret behind hashed e-mails, phones and names (policy `hash`).

Why keyed: a plain SHA-256 of an e-mail is reversible by anyone holding a list of addresses (hash
the list, compare). HMAC-SHA256 with a secret only this warehouse knows keeps the property the
follow-ups rely on — one address gives one value in every batch of one warehouse, so answers of the
same person still group together — while the values mean nothing without the secret, and two
warehouses (a test copy, another company) give unrelated values for the same person.

Where the secret lives, and why: in a file next to the warehouse, `<warehouse file>.personal-data.key`
(e.g. data/warehouse.duckdb.personal-data.key), mode 0600, created on the first load that hashes.
NOT inside the DuckDB file: the point is that a copy of the warehouse (a backup, a file handed to a
contractor, a laptop) cannot be reversed by dictionary, and a secret stored beside the hashes in
the same file would travel with them. The warehouse records only a key id (an HMAC of a constant,
which reveals nothing about the key), so a load with a different or regenerated key file is refused
instead of silently hashing the same person to a new value. Back the key file up with the
warehouse, separately; losing it means new batches can no longer be matched to old ones.

The hash is computed inside DuckDB, in the load's own INSERT (no Python loop per row): HMAC is
sha256(key ^ opad || sha256(key ^ ipad || message)) over bytes, which DuckDB's sha256 over BLOBs does
exactly (tests compare with Python's hmac). An in-memory warehouse gets a key for the process only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from app.service_model import ServiceModel

KEY_SUFFIX = ".personal-data.key"
HASH_PREFIX = "hmac:"
HASH_HEX_CHARS = 16  # 64 bits: no collisions among a company's respondents, short in a table
KEY_BYTES = 32
PERSONAL_COLUMNS = ("respondent_name", "email", "phone")
_BLOCK = 64  # SHA-256 block size
_KEY_ID_MESSAGE = b"cx-lens personal data key id"
_KEY_TABLE_DDL = "create table if not exists personal_data_key (key_id varchar not null, created_at timestamp)"
_PROCESS_KEY = secrets.token_bytes(KEY_BYTES)  # for in-memory warehouses only: nothing persists


class PersonalDataKeyError(RuntimeError):
    """The key file is unreadable or is not the key this warehouse's hashes were made with."""


@dataclass(frozen=True)
class PersonalDataKey:
    secret: bytes = field(repr=False)
    path: Path | None

    @property
    def key_id(self) -> str:
        return hmac.new(self.secret, _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]

    def hash_value(self, value: str | None) -> str | None:
        """The stored form of one value, as the SQL computes it (for tests and look-ups)."""
        if value is None:
            return None
        digest = hmac.new(self.secret, value.strip().lower().encode(), hashlib.sha256).hexdigest()
        return HASH_PREFIX + digest[:HASH_HEX_CHARS]

    def hash_sql(self, column: str) -> str:
        """DuckDB expression: HMAC-SHA256 of lower(trim(column)), prefixed and shortened.

        The key enters the SQL as two derived hex constants (never as a parameter a caller could
        forget); SQL text is not stored in the warehouse file.
        """
        padded = self.secret.ljust(_BLOCK, b"\0")
        inner = bytes(b ^ 0x36 for b in padded).hex()
        outer = bytes(b ^ 0x5C for b in padded).hex()
        message = f"encode(lower(trim({column})))"
        digest = f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || {message})))"
        return f"case when {column} is null then null else '{HASH_PREFIX}' || left({digest}, {HASH_HEX_CHARS}) end"


def needs_key(model: ServiceModel, source: str) -> bool:
    policies = model.settings.personal_data
    return source == "surveys" and any(getattr(policies, c) == "hash" for c in PERSONAL_COLUMNS)


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + KEY_SUFFIX)


def copy_warehouse(source: Path, target: Path) -> None:
    """Copy a (closed) warehouse file together with its key, so hashes of the copy keep matching."""
    shutil.copyfile(source, target)
    if key_path(source).exists():
        shutil.copy2(key_path(source), key_path(target))  # keeps mode 0600


def _database_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    rows = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(rows[0][0]).resolve() if rows and rows[0][0] else None


def _read_key(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != KEY_BYTES:
        raise PersonalDataKeyError(f"{path} is not a CX Lens personal-data key ({KEY_BYTES * 2} hex digits)")
    return secret


def _create_key(path: Path) -> None:
    """Write a new key, mode 0600, without ever replacing one another process wrote meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".personal-data-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
        with contextlib.suppress(FileExistsError):  # another load created it first: use that one
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def warehouse_key(con: duckdb.DuckDBPyConnection) -> PersonalDataKey:
    """This warehouse's key, created on first use; checked against the key id the warehouse holds."""
    db_file = _database_file(con)
    if db_file is None:
        return PersonalDataKey(_PROCESS_KEY, None)
    path = key_path(db_file)
    if not path.exists():
        _create_key(path)
    try:
        key = PersonalDataKey(_read_key(path), path)
    except OSError as exc:
        raise PersonalDataKeyError(f"the personal-data key {path} cannot be read: {exc}") from None
    recorded = _recorded_key_ids(con)
    if recorded and key.key_id not in recorded:
        raise PersonalDataKeyError(
            f"the personal-data key {path} is not the one this warehouse's hashed values were made "
            "with, so the same person would get a new value; restore the key file from the backup "
            "of this warehouse, or, if it is lost for good, accept new values by emptying the table "
            "personal_data_key (see README) (nothing was loaded)"
        )
    return key


def _recorded_key_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'personal_data_key'"
    ).fetchall()[0][0]
    if not exists:
        return set()
    return {r[0] for r in con.execute("select key_id from personal_data_key").fetchall()}


def record_key(con: duckdb.DuckDBPyConnection, key: PersonalDataKey) -> None:
    """Remember which key hashed this warehouse's values (inside the load's transaction)."""
    con.execute(_KEY_TABLE_DDL)
    con.execute(
        "insert into personal_data_key select ?, current_localtimestamp() "
        "where not exists (select 1 from personal_data_key where key_id = ?)",
        [key.key_id, key.key_id],
    )
