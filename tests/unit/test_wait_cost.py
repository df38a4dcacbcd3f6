"""What waiting costs in experience: served touchpoints, the client × period join, the slope of NPS
and rating per day of waiting and the waiting bins, on frames small enough to compute by hand. The
sums come from the real SQL (wait_cost_queries) over tiny marts in an in-memory DuckDB; the grouped
formulas are checked against a least squares over every single answer."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics import wait_cost as wc
from app.warehouse.filters import Filters
from app.warehouse.schema import BATCHES_DDL
from app.warehouse.wait_cost_queries import wait_cost_sums

STEP_DIM = pl.DataFrame(
    {
        "process": ["p", "p", "p"],
        "activity": ["approve", "send", "archive"],
        "step_order": [0, 1, 2],
        "touchpoint_id": [None, "proposal", None],
    }
)
SERVED = wc.served_touchpoints(STEP_DIM)


def steps() -> pl.DataFrame:
    """Four clients waited 1, 2, 3 and 4 days before 'approve' in 2025-Q1 (C1 over two cases)."""
    return pl.DataFrame(
        {
            "process": ["p"] * 5,
            "activity": ["approve"] * 5,
            "client_id": ["C1", "C1", "C2", "C3", "C4"],
            "period": ["2025-Q1"] * 5,
            "wait_hours": [12.0, 36.0, 48.0, 72.0, 96.0],
        }
    )


ANSWERS = pl.DataFrame(
    {
        "response_id": ["R1", "R2", "R3", "R4", "R5"],
        "client_id": ["C1", "C2", "C3", "C4", "C1"],
        "period": ["2025-Q1", "2025-Q1", "2025-Q1", "2025-Q1", "2025-Q2"],  # R5: another quarter, no join
        "respondent_role": ["finance", "finance", "finance", "finance", "finance"],
        "is_promoter": [True, False, False, False, True],
        "is_detractor": [False, False, False, True, False],
    }
)
RATINGS = pl.DataFrame(
    {
        "response_id": ["R1", "R2", "R3", "R4", "R1"],
        "touchpoint_id": ["proposal", "proposal", "proposal", "proposal", "delivery"],
        "rating": [5.0, 4.0, 4.0, 2.0, 1.0],
    }
)


def warehouse(step_rows: pl.DataFrame, answers: pl.DataFrame, ratings: pl.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the marts the wait cost reads, cut down to what it needs (answers
    submitted on the first day of their quarter)."""
    keys = {"business_unit": "energy", "segment": "key", "grade": "a", "status": "current"}
    events = step_rows.with_columns(pl.lit(v).alias(k) for k, v in keys.items())
    wide = answers.select("response_id").join(
        ratings.pivot(on="touchpoint_id", index="response_id", values="rating"), on="response_id", how="left"
    )
    wide = wide.select(
        "response_id",
        *(pl.col(tp).alias(f"rating_{tp}") if tp in wide.columns else pl.lit(None, pl.Float64).alias(f"rating_{tp}")
          for tp in ("proposal", "delivery")),
    )
    code = 100 * (pl.col("is_promoter").cast(pl.Int32) - pl.col("is_detractor").cast(pl.Int32))
    quarter_start = pl.concat_str(pl.col("period").str.slice(0, 4), pl.lit("-"),
                                  ((pl.col("period").str.slice(6, 1).cast(pl.Int32) - 1) * 3 + 1).cast(pl.String),
                                  pl.lit("-01")).str.to_datetime("%Y-%-m-%d")
    rows = answers.with_columns(code.alias("nps_code"), quarter_start.alias("submitted_at"))
    rows = rows.drop("is_promoter", "is_detractor").join(wide, on="response_id", how="left")
    clients = events.select("client_id", *keys).unique()
    con = duckdb.connect()
    con.execute(BATCHES_DDL)  # the warehouse's schema statements that define the quarter_of macro
    for name, frame in (("mart_process_steps", events), ("mart_answer_ratings", rows), ("mart_clients", clients)):
        con.register("frame", frame.to_arrow())
        con.execute(f"create table {name} as select * from frame")
        con.unregister("frame")
    return con


def sums(
    step_rows: pl.DataFrame,
    answers: pl.DataFrame = ANSWERS,
    ratings: pl.DataFrame = RATINGS,
    filters: Filters = Filters(),
    n_bins: int = 5,
) -> pl.DataFrame:
    con = warehouse(step_rows, answers, ratings)
    try:
        return wait_cost_sums(con, filters, "p", SERVED, n_bins=n_bins)
    finally:
        con.close()


def test_a_step_without_touchpoint_serves_the_next_one_down_the_process():
    assert SERVED["touchpoint_id"].to_list() == ["proposal", "proposal", None]
    assert SERVED["is_own_touchpoint"].to_list() == [False, True, False]


def test_nps_and_rating_points_per_day_of_waiting():
    cost = wc.wait_cost(sums(steps()), SERVED)
    row = cost.row(0, named=True)
    assert (row["activity"], row["touchpoint_id"]) == ("approve", "proposal")
    # NPS codes +100, 0, 0, −100 on 1…4 days (C1's two cases average 1 day): slope −300 / 5 = −60
    # points per day; residuals 10, −30, 30, −10 → s² = 2000 / 2, se = √(1000 / 5), half-width 1.96 · se
    assert row["nps_per_day"] == pytest.approx(-60.0)
    assert row["nps_per_day_moe"] == pytest.approx(1.96 * math.sqrt(200.0))
    assert row["is_nps_significant"] is True
    assert (row["n_nps"], row["n_client_periods"], row["wait_days_mean"]) == (4, 4, 2.5)
    # ratings 5, 4, 4, 2: Σ(x − x̄)(y − ȳ) = −4.5, Σ(x − x̄)² = 5
    assert row["rating_per_day"] == pytest.approx(-0.9)
    assert row["n_rating"] == 4
    assert cost.height == 1  # 'send' has no waits in the frame, 'archive' serves no touchpoint


def test_equal_count_bins_of_waiting():
    bins = wc.wait_bins(sums(steps(), n_bins=2))
    assert bins["wait_days_from"].to_list() == [1.0, 3.0]
    assert bins["wait_days_to"].to_list() == [2.0, 4.0]
    assert bins["nps"].to_list() == [50.0, -50.0]
    assert bins["rating_mean"].to_list() == [4.5, 3.0]


def test_no_variation_in_waiting_gives_no_slope():
    flat = steps().with_columns(pl.lit(24.0).alias("wait_hours"))
    cost = wc.wait_cost(sums(flat), SERVED)
    assert cost["nps_per_day"].to_list() == [None]
    assert cost["is_nps_significant"].to_list() == [False]
    assert wc.wait_bins(sums(flat)).select("bin", "n").rows() == [(0, 4)]  # one bin: nothing to order by


def test_the_respondent_role_filter_reaches_the_answers():
    answers = ANSWERS.with_columns(respondent_role=pl.Series(["finance", "finance", "end_user", "finance", "finance"]))
    cost = wc.wait_cost(sums(steps(), answers, filters=Filters(respondent_roles=["finance"])), SERVED)
    assert (cost["n_nps"].item(), cost["n_client_periods"].item()) == (3, 3)  # C3's answer is an end user's


def test_no_answers_from_waiting_clients_gives_no_rows():
    assert wc.wait_cost(sums(steps(), ANSWERS.filter(pl.col("period") == "2025-Q2")), SERVED).is_empty()
    assert wc.wait_bins(sums(steps(), ANSWERS.filter(pl.col("period") == "2025-Q2"))).is_empty()


def test_points_lost_reads_positive_for_a_negative_slope():
    assert wc.nps_points_lost(-2.5, 2.0) == 5.0
    assert wc.nps_points_lost(None, 2.0) is None


def per_answer_least_squares(x: list[float], y: list[float]) -> tuple[float, float, float]:
    """Slope of y on x, its 95 % half-width and mean of y, computed answer by answer with numpy."""
    xs, ys = np.array(x), np.array(y)
    slope, intercept = np.polyfit(xs, ys, 1)
    residuals = ys - (intercept + slope * xs)
    variance = (residuals @ residuals) / (len(xs) - 2)
    return slope, 1.96 * math.sqrt(variance / ((xs - xs.mean()) ** 2).sum()), ys.mean()


def test_grouped_slopes_equal_the_per_answer_least_squares():
    # three clients in two quarters, several answers each: a passive, an answer without NPS, answers
    # that did not rate the proposal, a client-period that waited but did not answer (C9) and one that
    # answered but did not wait (C4)
    step_rows = pl.DataFrame(
        {
            "process": ["p"] * 6,
            "activity": ["approve"] * 6,
            "client_id": ["C1", "C1", "C2", "C3", "C1", "C9"],
            "period": ["2025-Q1", "2025-Q1", "2025-Q1", "2025-Q1", "2025-Q2", "2025-Q2"],
            "wait_hours": [10.0, 50.0, 70.0, 130.0, 100.0, 5.0],
        }
    )
    answers = pl.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(1, 11)],
            "client_id": ["C1", "C1", "C1", "C2", "C2", "C3", "C3", "C3", "C1", "C4"],
            "period": ["2025-Q1"] * 8 + ["2025-Q2", "2025-Q2"],
            "respondent_role": ["finance"] * 10,
            "is_promoter": [True, False, True, False, False, False, None, False, True, True],
            "is_detractor": [False, False, False, True, False, True, None, True, False, False],
        }
    )
    ratings = pl.DataFrame(
        {
            "response_id": ["R1", "R2", "R4", "R5", "R6", "R8", "R9", "R1"],
            "touchpoint_id": ["proposal"] * 7 + ["delivery"],
            "rating": [5.0, 4.0, 3.0, 4.0, 2.0, 1.0, 5.0, 1.0],
        }
    )
    # per answer: each answer joined to its client's mean wait in its quarter (C1/Q1: (10 + 50) / 2 h)
    waits = pl.DataFrame(
        {
            "client_id": ["C1", "C2", "C3", "C1"],
            "period": ["2025-Q1", "2025-Q1", "2025-Q1", "2025-Q2"],
            "x": [30 / 24, 70 / 24, 130 / 24, 100 / 24],
        }
    )
    joined = (
        answers.join(waits, on=["client_id", "period"])
        .with_columns(nps=100.0 * (pl.col("is_promoter").cast(pl.Int8) - pl.col("is_detractor").cast(pl.Int8)))
        .join(ratings.filter(pl.col("touchpoint_id") == "proposal"), on="response_id", how="left")
    )
    with_nps, rated = joined.drop_nulls("nps"), joined.drop_nulls("rating")
    nps_slope, nps_moe, nps_mean = per_answer_least_squares(with_nps["x"].to_list(), with_nps["nps"].to_list())
    rating_slope, rating_moe, rating_mean = per_answer_least_squares(rated["x"].to_list(), rated["rating"].to_list())

    row = wc.wait_cost(sums(step_rows, answers, ratings), SERVED).row(0, named=True)
    assert (row["n_nps"], row["n_rating"], row["n_client_periods"]) == (8, 7, 4)
    assert row["nps_per_day"] == pytest.approx(nps_slope, rel=1e-12)
    assert row["nps_per_day_moe"] == pytest.approx(nps_moe, rel=1e-12)
    assert row["nps_mean"] == pytest.approx(nps_mean, rel=1e-12)
    assert row["rating_per_day"] == pytest.approx(rating_slope, rel=1e-12)
    assert row["rating_per_day_moe"] == pytest.approx(rating_moe, rel=1e-12)
    assert row["rating_mean"] == pytest.approx(rating_mean, rel=1e-12)
    assert row["wait_days_mean"] == pytest.approx(joined["x"].mean(), rel=1e-12)  # per answer, with or without NPS


def clients_answering(sizes: list[int]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Client i waited i + 1 days before 'approve' and gave sizes[i] answers, all promoters."""
    step_rows = pl.DataFrame(
        {
            "process": "p",
            "activity": "approve",
            "client_id": [f"C{i}" for i in range(len(sizes))],
            "period": "2025-Q1",
            "wait_hours": [24.0 * (i + 1) for i in range(len(sizes))],
        }
    )
    clients = [f"C{i}" for i, n in enumerate(sizes) for _ in range(n)]
    answers = pl.DataFrame(
        {
            "response_id": [f"R{j}" for j in range(len(clients))],
            "client_id": clients,
            "period": "2025-Q1",
            "respondent_role": "finance",
            "is_promoter": True,
            "is_detractor": False,
        }
    )
    return step_rows, answers


def test_bins_keep_a_client_quarter_whole_where_its_middle_answer_falls():
    # 6 answers in 2 bins: per answer 3 + 3, but C0's 4 answers stay together (midpoint 2 of 6 → bin 0)
    step_rows, answers = clients_answering([4, 1, 1])
    bins = wc.wait_bins(sums(step_rows, answers, RATINGS.head(0), n_bins=2))
    assert bins["n"].to_list() == [4, 2]
    assert bins["wait_days_from"].to_list() == [1.0, 2.0] and bins["wait_days_to"].to_list() == [1.0, 3.0]
    assert bins["nps"].to_list() == [100.0, 100.0] and bins["rating_mean"].to_list() == [None, None]


def test_a_bin_no_client_quarter_falls_in_stays_out():
    # 11 answers in 5 bins: the midpoints 5 and 10.5 fall in bins 2 and 4; bins 0, 1 and 3 hold nobody
    step_rows, answers = clients_answering([10, 1])
    bins = wc.wait_bins(sums(step_rows, answers, RATINGS.head(0)))
    assert bins["bin"].to_list() == [2, 4]
    assert bins["n"].to_list() == [10, 1]


def test_bins_equal_ordering_every_client_quarter_by_wait():
    """The SQL sums clients into slots of nearly equal wait and orders only the groups of slots that
    straddle a bin boundary; the bins must be those of ordering every group (by wait, then client and
    quarter) and placing it at its cumulative answer-count midpoint. Waits with many ties and near-ties
    (minutes apart) put several groups into the straddling slots."""
    rng = np.random.default_rng(7)
    n_clients = 300
    minutes = np.where(rng.random(n_clients) < 0.4, rng.choice([60, 61, 1440, 1442], n_clients),
                       rng.integers(0, 5000, n_clients))
    sizes = rng.integers(1, 6, n_clients).tolist()
    step_rows, answers = clients_answering(sizes)
    step_rows = step_rows.with_columns(wait_hours=pl.Series((minutes / 60.0).tolist()))
    groups = pl.DataFrame({"client_id": step_rows["client_id"], "x": minutes / 1440.0, "n": sizes})
    ordered = groups.sort("x", "client_id").with_columns(midpoint=pl.col("n").cum_sum() - pl.col("n") / 2)
    expected = (
        ordered.with_columns(bin=(pl.col("midpoint") * 5 / sum(sizes)).floor().cast(pl.Int64))
        .group_by("bin")
        .agg(n=pl.col("n").sum(), wait_days_from=pl.col("x").min(), wait_days_to=pl.col("x").max())
        .sort("bin")
    )
    bins = wc.wait_bins(sums(step_rows, answers, RATINGS.head(0)))
    assert bins.select("bin", "n").rows() == expected.select("bin", "n").rows()
    assert_frame_equal(bins.select("wait_days_from", "wait_days_to"), expected.select("wait_days_from", "wait_days_to"))
