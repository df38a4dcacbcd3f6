"""Tables of the voice of the customer: complaint topics (rewritten by each training run) and the
follow-up cases of the closed loop (kept for ever: people's work lives in them).

Neither is a SQL model: `rebuild_models` never drops them, so a reload, a rollback or a full
rebuild keeps every case status, note and analyst-given topic name. `ensure_schema` creates them.
"""

from __future__ import annotations

import duckdb

TOPIC_DDL = """
create table if not exists topic_runs (
    run_id integer primary key,
    data_version integer not null,     -- warehouse data version the run read
    corpus_key varchar not null,       -- the loaded survey/ticket batches the texts came from
    built_at timestamp not null,
    method varchar not null,
    n_documents integer not null,
    n_complaints integer not null,
    n_topics integer not null,
    n_phrasings integer not null,
    n_groups integer not null,
    seconds double not null
);
-- one row per topic of a run (only the newest run's rows are kept)
create table if not exists topics (
    run_id integer not null,
    topic_id integer not null,
    n_docs integer not null,
    n_survey integer not null,
    n_ticket integer not null,
    signature varchar not null,        -- the topic's own top stems
    label_signature varchar not null,  -- key into topic_labels: an earlier topic it matches, or its own
    auto_label_en varchar,
    auto_label_ru varchar,
    primary key (run_id, topic_id)
);
create table if not exists topic_terms (
    run_id integer not null, topic_id integer not null, language varchar not null, rank integer not null,
    stem varchar not null, term varchar not null, weight double not null
);
create table if not exists topic_documents (
    run_id integer not null, doc_id varchar not null, source varchar not null, language varchar,
    topic_id integer, similarity double
);
create table if not exists topic_examples (
    run_id integer not null, topic_id integer not null, language varchar not null, rank integer not null,
    doc_id varchar not null, source varchar not null, text varchar
);
create table if not exists topic_client_groups (
    run_id integer not null, client_id varchar not null, group_id integer not null, n_docs integer not null
);
create table if not exists topic_group_profiles (
    run_id integer not null, group_id integer not null, topic_id integer not null, share double not null
);
-- names analysts gave to topics, keyed by the topic's stem signature so that a retrain keeps them
create table if not exists topic_labels (
    signature varchar primary key,
    label varchar not null,
    updated_at timestamp not null,
    updated_by varchar
);
"""

FOLLOW_UP_DDL = """
create table if not exists follow_up_cases (
    case_id integer primary key,
    response_id varchar not null unique,
    client_id varchar,
    client_name varchar,
    grade varchar,
    received_at timestamp not null,    -- the answer's submitted_at: the client's clock starts here
    nps integer,
    comment varchar,
    touchpoint_id varchar,             -- the touchpoint the client rated lowest
    owner_department varchar,
    assignee varchar,
    status varchar not null,           -- open | in_progress | resolved | closed | withdrawn
    due_date date,
    opened_at timestamp not null,
    updated_at timestamp not null,
    closed_at timestamp,
    last_note varchar,
    batch_id integer,                  -- the survey batch that brought the answer
    answer_removed_at timestamp,       -- the answer was rolled back after work had started
    respondent_role varchar            -- the answer's, kept here so the case list never reads the answers
);
create table if not exists follow_up_events (
    event_id integer primary key,
    case_id integer not null,
    event_at timestamp not null,
    actor varchar,
    kind varchar not null,             -- opened | status | owner | assignee | note | withdrawn | restored | answer_removed
    old_value varchar,
    new_value varchar,
    note varchar
);
"""


def ensure_voc_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the topic and follow-up tables when missing; never drops or rewrites existing rows."""
    con.execute(TOPIC_DDL)
    con.execute(FOLLOW_UP_DDL)
    _add_case_roles(con)


def _add_case_roles(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse from before cases kept the answer's respondent role gets the column, filled once
    from the answers (the role the follow-up view used to join from raw_surveys on every read)."""
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = 'follow_up_cases'"
    ).fetchall()}
    if "respondent_role" in columns:
        return
    con.execute("alter table follow_up_cases add column respondent_role varchar")
    has_answers = con.execute(
        "select count(*) from information_schema.tables where table_name = 'raw_surveys'"
    ).fetchall()[0][0]
    if has_answers:
        con.execute(
            "update follow_up_cases c set respondent_role = r.respondent_role "
            "from raw_surveys r where r.response_id = c.response_id"
        )
