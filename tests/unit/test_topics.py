"""Complaint topics: the demo's planted themes come back as topics (both languages, pure, named by
their keywords), analysts' names survive a retrain, and the text pipeline does what it says."""

from __future__ import annotations

import polars as pl
import pytest

from app.warehouse.connection import connect, query
from app.warehouse.voc_queries import topic_status
from pipelines import demo_story
from pipelines.personal_data import copy_warehouse
from pipelines.text import Tokenizer, detect_language, stem_words
from pipelines.topics import build_topics, match_labels, rename_topic

MIN_COVERAGE = 0.8  # share of a theme's tickets that land in its topic
MIN_PURITY = 0.8  # share of a topic's complaint tickets that belong to its theme


def _ticket_topics(con) -> pl.DataFrame:
    return query(
        con,
        """
        select k.category, d.topic_id, d.language, count(*) as n
        from mart_tickets k
        join topic_documents d on d.source = 'ticket' and d.doc_id = k.ticket_id
             and d.run_id = (select max(run_id) from topic_runs)
        group by all
        """,
    )


def test_topics_recover_the_planted_complaint_themes(demo_con, ground_truth):
    themes = ground_truth["complaint_themes"]
    counts = _ticket_topics(demo_con)
    terms = query(
        demo_con,
        "select topic_id, language, stem from topic_terms "
        "where run_id = (select max(run_id) from topic_runs)",
    )
    matched = {}
    for theme in themes:
        mine = counts.filter(pl.col("category") == theme["category"])
        per_topic = (
            mine.drop_nulls("topic_id").group_by("topic_id").agg(pl.col("n").sum()).sort("n", descending=True)
        )
        topic_id, n = per_topic.row(0)
        assert n / mine["n"].sum() >= MIN_COVERAGE, f"{theme['id']}: its tickets are spread over topics"
        for lang in ("ru", "en"):
            in_lang = mine.filter(pl.col("language") == lang)
            assert (
                in_lang.filter(pl.col("topic_id") == topic_id)["n"].sum() >= MIN_COVERAGE * in_lang["n"].sum()
            ), f"{theme['id']}: the {lang} tickets are not in the same topic as the others"
            stems = set(terms.filter((pl.col("topic_id") == topic_id) & (pl.col("language") == lang))["stem"])
            keywords = set(stem_words(theme["keywords"][lang]))
            assert len(stems & keywords) >= 2, f"{theme['id']} ({lang}): top terms {stems} miss {keywords}"
        matched[theme["id"]] = topic_id
    assert len(set(matched.values())) == len(themes), f"two themes share a topic: {matched}"
    complaints = counts.filter(pl.col("category").is_in([t["category"] for t in themes]))
    for theme_id, topic_id in matched.items():
        category = next(t["category"] for t in themes if t["id"] == theme_id)
        in_topic = complaints.filter(pl.col("topic_id") == topic_id)
        purity = in_topic.filter(pl.col("category") == category)["n"].sum() / in_topic["n"].sum()
        assert purity >= MIN_PURITY, f"topic of {theme_id} mixes themes ({purity:.0%})"


def test_promoters_praise_gets_no_complaint_topic(demo_con):
    praise = query(
        demo_con,
        """
        select count(*) as n, count(d.topic_id) as with_topic from mart_feedback f
        join topic_documents d on d.doc_id = f.doc_id and d.source = f.source
        where f.nps >= 9""",
    ).row(0, named=True)
    assert praise["n"] > 0 and praise["with_topic"] == 0


def test_client_group_of_the_proposal_complaint_is_mostly_energy(demo_con, ground_truth):
    """Planted: energy clients raise the slow-proposal theme three times as often (demo_story)."""
    planted_unit = next(
        u for (u, theme), mult in demo_story.THEME_UNIT_MULT.items() if theme == "slow_proposal"
    )
    category = next(t["category"] for t in ground_truth["complaint_themes"] if t["id"] == "slow_proposal")
    counts = _ticket_topics(demo_con).filter(pl.col("category") == category).drop_nulls("topic_id")
    proposal_topic = (
        counts.group_by("topic_id").agg(pl.col("n").sum()).sort("n", descending=True)["topic_id"][0]
    )
    units = query(
        demo_con,
        """
        with main as (select group_id, arg_max(topic_id, share) as topic_id from topic_group_profiles group by 1)
        select c.business_unit, count(*) as n from topic_client_groups g join main m using (group_id)
        join mart_clients c using (client_id) where m.topic_id = $topic group by 1 order by n desc""",
        {"topic": proposal_topic},
    )
    assert units["business_unit"][0] == planted_unit


def test_topics_are_built_with_the_demo_and_up_to_date(demo_con):
    status = topic_status(demo_con)
    assert status.exists and not status.is_stale and status.n_new_documents == 0
    assert status.n_topics >= 6


def test_an_analysts_topic_name_survives_a_retrain(demo_db, tmp_path, model):
    copy = tmp_path / "warehouse.duckdb"
    copy_warehouse(demo_db, copy)  # with its personal-data key
    con = connect(copy)
    try:
        run = int(con.execute("select max(run_id) from topic_runs").fetchall()[0][0])
        quality = query(
            con,
            "select topic_id, signature from topics where run_id = ? and signature like '%дефект%'",
            [run],
        ).row(0, named=True)
        rename_topic(con, run, quality["topic_id"], "  Quality   defects ", actor="ana")
        new_run = build_topics(con, model, seed=11)  # a different seed: other phrasings, other numbering
        named = query(
            con,
            "select t.topic_id, t.signature, l.label, l.updated_by from topics t "
            "join topic_labels l on l.signature = t.label_signature where t.run_id = ?",
            [new_run],
        )
        assert named["label"].to_list() == ["Quality defects"]
        assert "дефект" in named["signature"][0] and named["updated_by"][0] == "ana"
        rename_topic(con, new_run, named["topic_id"][0], "")
        assert con.execute("select count(*) from topic_labels").fetchall()[0][0] == 0
    finally:
        con.close()


def test_label_matching_is_one_to_one_and_needs_overlap():
    topics = pl.DataFrame({"signature": ["a b c d", "a b x y", "p q r s"]})
    assert match_labels(topics, ["a b c e", "z w"]) == ["a b c e", "a b x y", "p q r s"]


def test_tokenizer_stems_drops_stop_words_courtesy_and_codes():
    tokenizer = Tokenizer()
    stems = tokenizer("Добрый день. Поставка ORD-015283 опять задержалась на 5 дн., просим разобраться!")
    assert stems == stem_words(["поставка", "задержалась"])
    assert tokenizer.display_form(stems[0]) == "поставка"
    assert tokenizer("Hello, the deliveries were late. Please look into it.") == stem_words(
        ["deliveries", "late"]
    )
    assert detect_language("Заказ ORD-1 не пришёл") == "ru" and detect_language("КП sent as PDF") == "en"


@pytest.mark.parametrize("text", ["", "   ", "12345", "!!!"])
def test_texts_without_words_give_no_terms(text):
    assert Tokenizer()(text) == []


def _corpus() -> pl.DataFrame:
    """Three complaints in two languages (no shared word across languages) plus promoters' praise."""
    wordings = {
        ("delivery", "ru"): [
            "Поставка задержалась на неделю",
            "Опять задержка поставки",
            "Сроки поставки сорваны",
        ],
        ("delivery", "en"): [
            "The delivery was late",
            "Late delivery again",
            "Delivery dates missed, late again",
        ],
        ("invoicing", "ru"): ["Ошибка в счёте", "Счёт пришёл с ошибкой в сумме", "Неверная сумма в счёте"],
        ("invoicing", "en"): ["Invoice error", "Wrong amount on the invoice", "The invoice had an error"],
        ("product_quality", "ru"): [
            "Брак при приёмке",
            "Много брака, дефект сварки",
            "Дефект покраски, брак",
        ],
        ("product_quality", "en"): [
            "Defects at acceptance",
            "Faulty weld, a defect",
            "Defect in the paint, faulty",
        ],
    }
    rows = []
    for (touchpoint, lang), texts in wordings.items():
        for i in range(12):
            rows.append((f"{touchpoint}-{lang}-{i}", "ticket", texts[i % 3], touchpoint, True))
    rows += [(f"praise-{i}", "survey", "Спасибо, всё отлично", "delivery", False) for i in range(6)]
    return pl.DataFrame(
        rows, schema=["doc_id", "source", "text", "touchpoint_id", "is_complaint"], orient="row"
    )


def test_two_languages_of_one_complaint_become_one_topic_and_praise_gets_none():
    from pipelines.topic_model import train_topics

    result = train_topics(_corpus())
    assert result.topics.height == 3
    assigned = result.assignments.with_columns(pl.col("doc_id").str.extract(r"^([a-z_]+)-").alias("truth"))
    per_topic = (
        assigned.drop_nulls("topic_id")
        .group_by("topic_id")
        .agg(pl.col("truth").n_unique(), pl.col("language").n_unique())
    )
    assert (per_topic["truth"] == 1).all() and (per_topic["language"] == 2).all()
    assert assigned.filter(pl.col("truth") == "praise")["topic_id"].null_count() == 6
    assert set(result.terms["language"]) == {"ru", "en"} and result.examples.height > 0
