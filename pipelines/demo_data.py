"""The demo company: a deterministic generator of every import file, with a planted story.

`generate_demo(out_dir, model, seed, scale)` writes clients, eight quarterly survey waves (one as a
cp1251 `;` export with decimal commas, one as XLSX with a title row), orders, a process event log,
tickets and KPI actuals, all in the formats of `pipelines.sources`, plus `ground_truth.json` with what
was planted: NPS driver weights, the late-delivery effect, the energy approval bottleneck, the
complaint themes. Structure comes from the service model; the story (parameters, names, texts,
tickets, KPI actuals, the ground truth) lives in `demo_story`. Same seed and scale give
byte-identical files: one numpy generator, dates anchored to a fixed as-of day, no wall clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from app.service_model import ServiceModel
from pipelines import demo_story as st
from pipelines.demo_story import DAY, HOUR, in_quarter, lookup, mean_by
from pipelines.sources import source_spec

T0 = int(st.FIRST_WAVE_MONTH.astype("datetime64[s]").astype("int64"))  # epoch seconds of wave 1's start
N = st.N_WAVES
CP1251_WAVE, XLSX_WAVE = 1, 2  # 2025-Q1 and 2025-Q2 arrive as exports from other tools


@dataclass(frozen=True)
class DemoFiles:
    files: list[tuple[str, Path]]  # (source, path) in load order
    ground_truth: Path


def quarters() -> tuple[np.ndarray, list[str], float]:
    """Quarter bounds in seconds since the first wave's start, wave labels, and the as-of time."""
    months = st.FIRST_WAVE_MONTH + np.arange(N + 1) * 3
    bounds = months.astype("datetime64[s]").astype("int64").astype(float) - T0
    labels = [f"{m.astype(object).year}-Q{(m.astype(object).month - 1) // 3 + 1}" for m in months[:N]]
    return bounds, labels, float(st.AS_OF.astype("int64") - T0)


def to_datetime(values: np.ndarray) -> pl.Series:
    """Seconds since the first wave (NaN = empty) as a datetime column, to the minute."""
    secs = pl.Series(np.round(np.asarray(values, dtype=float) / 60) * 60 + T0, nan_to_null=True)
    return pl.from_epoch(secs.cast(pl.Int64), time_unit="s")


def make_frame(data: dict) -> pl.DataFrame:
    """A frame from columns; object arrays (text with None) become String even when all empty."""
    def column(name: str, values) -> pl.Series:
        if isinstance(values, pl.Series):
            return values.alias(name)
        if isinstance(values, np.ndarray) and values.dtype == object:
            return pl.Series(name, values.tolist(), dtype=pl.String)
        series = pl.Series(name, values, strict=False)
        return series.cast(pl.String) if series.dtype == pl.Null else series
    return pl.DataFrame([column(k, v) for k, v in data.items()])


def _process(model: ServiceModel, process_id: str):
    return next((p for p in model.processes if p.id == process_id), None)


def _steps(rng, templates: list[np.ndarray], which: np.ndarray, hours: np.ndarray, proc_f: float, wait_f: float):
    """One row per executed step of each case (template `which[case]`), with drawn durations (s)."""
    lens = np.array([len(t) for t in templates])[which]
    case = np.repeat(np.arange(len(which)), lens)
    pos = np.arange(len(case)) - np.repeat(np.cumsum(lens) - lens, lens)
    padded = np.array([np.pad(t, (0, max(len(t) for t in templates) - len(t))) for t in templates])
    step = padded[which[case], pos]
    proc = hours[step] * proc_f * rng.lognormal(0, 0.35, len(case)) * HOUR
    wait = hours[step] * wait_f * rng.exponential(1.0, len(case)) * HOUR
    return case, step, pos, proc, wait


def _run(case: np.ndarray, case_start: np.ndarray, wait: np.ndarray, proc: np.ndarray):
    """Start and end of each step when the steps of a case run back to back after their waits."""
    d = wait + proc
    before = np.cumsum(d) - d
    first = np.flatnonzero(np.r_[True, case[1:] != case[:-1]])
    start = case_start[case] + before - before[first][case] + wait
    return start, start + proc


def _clients(rng, model: ServiceModel, n: int) -> dict:
    units, segs, grades = (model.option_ids(d) for d in ("business_units", "segments", "grades"))
    unit = st.choose(rng, units, st.UNIT_MIX, n, 0.3)
    seg = st.choose(rng, segs, st.SEGMENT_MIX, n, 0.3)
    grade = np.zeros(n, dtype=int)
    for i, s in enumerate(segs):
        mix = st.GRADE_MIX.get(s, st.GRADE_MIX_DEFAULT)
        grade[seg == i] = st.choose(rng, grades, mix, int((seg == i).sum()), 0.3)
    pids = [s for s in model.option_ids("statuses") if s in st.PROSPECT_MIX] or [""]
    prospect = (rng.random(n) < st.PROSPECT_SHARE) & (pids != [""])
    names, domains = st.company_names(rng, n)
    lam = (lookup(st.ORDERS_PER_QUARTER, segs, 4.0)[seg] * lookup(st.GRADE_ORDER_MULT, grades, 1.0)[grade]
           * rng.lognormal(0, 0.3, n))
    imp = {c: np.clip(np.round(rng.normal(st.IMPORTANCE_MEAN.get(c, 3.6), 0.8, n)), 1, 5)
           for c in model.client_importance_columns()}
    regions = list(st.REGIONS)
    return dict(
        n=n, unit=unit, seg=seg, grade=grade, prospect=prospect, units=units, segs=segs, grades=grades,
        unit_id=np.array(units, dtype=object)[unit],
        pstatus=np.array(pids, dtype=object)[st.choose(rng, pids, st.PROSPECT_MIX, n)],
        u=rng.normal(size=n), late_mult=rng.lognormal(0, 0.5, n), lam=lam, names=names, domains=domains,
        start_q=np.where(rng.random(n) < st.NEW_CLIENT_SHARE, rng.integers(1, N, n), 0) * ~prospect,
        region=np.array(regions, dtype=object)[st.choose(rng, regions, st.REGIONS, n)], imp=imp,
        id=np.array([f"C{i + 1:05d}" for i in range(n)], dtype=object),
    )


def _orders(rng, model: ServiceModel, C: dict, qs: np.ndarray) -> dict:
    """Orders per active client and quarter, with the planned promise and (late or not) delivery."""
    classes = model.option_ids("product_classes") or [""]
    cust = np.flatnonzero(~C["prospect"])
    cq_c, cq_q = np.repeat(cust, N), np.tile(np.arange(N), len(cust))
    sq = C["start_q"][cq_c]
    cnt = rng.poisson(C["lam"][cq_c] * (cq_q >= sq))
    cnt = np.where((cq_q == sq) & (sq > 0), np.maximum(cnt, 1), cnt)  # a new client starts with an order
    oc, oq = np.repeat(cq_c, cnt), np.repeat(cq_q, cnt)
    n, unit = len(oc), C["unit"][oc]
    ordered = in_quarter(rng, qs, oq)
    cls = np.zeros(n, dtype=int)
    for i, u in enumerate(C["units"]):
        cls[unit == i] = st.choose(rng, classes, st.CLASS_MIX.get(u, {}), int((unit == i).sum()), 1.0)
    promise = lookup(st.PROMISE_DAYS, classes, 21)[cls] * rng.uniform(0.85, 1.2, n)
    promised = np.floor((ordered + promise * DAY) / DAY) * DAY + 17 * HOUR
    amount = np.round(lookup(st.AMOUNT_MEDIAN_RUB, classes, 1e6)[cls] * rng.lognormal(0, 0.6, n), 2)
    rework = rng.random(n) < lookup(st.REWORK_SHARE, classes, st.REWORK_SHARE_DEFAULT)[cls]
    cal0 = (int(str(st.FIRST_WAVE_MONTH)[5:7]) - 1) // 3
    p_late = (lookup(st.LATE_RATE, C["units"], 0.18)[unit] * lookup(st.LATE_CLASS_MULT, classes, 1.0)[cls]
              * C["late_mult"][oc] * np.array(st.LATE_SEASON)[(oq + cal0) % 4] * np.where(rework, 1.6, 1.0))
    late = rng.random(n) < np.clip(p_late, 0, 0.9)
    delay = (0.3 + rng.lognormal(np.log(2.8), 0.85, n)) * lookup(st.DELAY_MULT, C["units"], 1.0)[unit]
    delivered = np.where(late, promised + delay * DAY, promised - rng.uniform(1, 40, n) * HOUR)
    ideal_end = np.where(late, promised - rng.uniform(1, 20, n) * HOUR, delivered)
    return dict(client=oc, q=oq, ordered=ordered, promised=promised, delivered=delivered, ideal_end=ideal_end,
                cls=cls, classes=classes, amount=amount, rework=rework, late=late)


def _event_frame(process_id: str, case_ids, step, acts, deps, pools, rng, start, end, as_of, extra: dict):
    """Event rows as seen on the as-of day: steps not yet started are left out, running ones open."""
    keep = start <= as_of
    names = np.array([(pools.get(d) or ["-"] * 6)[:6] for d in deps], dtype=object)
    data = {
        "case_id": case_ids[keep], "process": np.full(int(keep.sum()), process_id, dtype=object),
        "activity": np.array(acts, dtype=object)[step[keep]], "started_at": to_datetime(start[keep]),
        "ended_at": to_datetime(np.where(end > as_of, np.nan, end)[keep]),
        "resource": names[step, rng.integers(0, names.shape[1], len(step))][keep],
        "department": np.array(deps, dtype=object)[step[keep]],
    }
    for k, v in extra.items():
        data[k] = to_datetime(v[keep]) if k.endswith("_at") else v[keep]
    return make_frame(data)


def _order_events(rng, model: ServiceModel, OD: dict, pools, as_of: float):
    """The order_fulfilment log; returns (events, shipped_at, delivered_at) as seen on the as-of day."""
    proc = _process(model, st.ORDER_PROCESS)
    n = len(OD["client"])
    if proc is None:
        shipped = np.maximum(OD["ordered"], OD["delivered"] - 2 * DAY)
        return None, np.where(shipped > as_of, np.nan, shipped), np.where(OD["delivered"] > as_of, np.nan, OD["delivered"])
    acts, deps = [s.activity for s in proc.steps], [s.department for s in proc.steps]
    hours, S = np.array([s.target_hours for s in proc.steps]), len(acts)
    qi = acts.index(st.REWORK_ACTIVITY) if st.REWORK_ACTIVITY in acts[1:] else 0
    templates = [np.arange(S)] + ([np.r_[np.arange(qi + 1), qi - 1, qi, np.arange(qi + 1, S)]] if qi else [])
    which = (OD["rework"] & bool(qi)).astype(int)
    case, step, pos, prc, wait = _steps(rng, templates, which, hours, 0.7, 0.3)
    is_prod = np.array([a == st.PRODUCTION_ACTIVITY for a in acts])[step]
    prc *= np.where(is_prod, lookup(st.PRODUCTION_CLASS_MULT, OD["classes"], 1.0)[OD["cls"][case]], 1.0)
    prc *= np.where((which[case] == 1) & (pos > qi) & (pos <= qi + 2), 0.4, 1.0)  # rework is shorter
    fit = (OD["ideal_end"] - OD["ordered"]) / np.bincount(case, weights=prc + wait, minlength=n)
    prc, wait = prc * fit[case], wait * fit[case]
    culprit = st.choose(rng, acts, st.LATE_CULPRITS, n)
    hit = np.flatnonzero(step == culprit[case])
    hit = hit[np.r_[True, case[hit][1:] != case[hit][:-1]]]
    wait[hit] += (OD["delivered"] - OD["ideal_end"])[case[hit]]  # late orders wait at the culprit step
    start, end = _run(case, OD["ordered"], wait, prc)
    last = np.cumsum(np.bincount(case, minlength=n)) - 1
    shipped, delivered = start[last], end[last]
    extra = {"client_id": OD["client_id"][case], "product_class": np.array(OD["classes"], dtype=object)[OD["cls"]][case],
             "due_at": OD["promised"][case]}
    events = _event_frame(proc.id, OD["order_id"][case], step, acts, deps, pools, rng, start, end, as_of, extra)
    return events, np.where(shipped > as_of, np.nan, shipped), np.where(delivered > as_of, np.nan, delivered)


def _proposals(rng, model: ServiceModel, C: dict, qs: np.ndarray) -> dict:
    """Commercial proposal cases per client and quarter; approval waits long in the bottleneck unit."""
    proc, n = _process(model, st.BOTTLENECK["process"]), C["n"]
    rate = np.where(C["prospect"], lookup(st.PROPOSALS_PER_QUARTER, C["pstatus"], 0.3),
                    st.PROPOSALS_PER_QUARTER["current"])
    rate *= np.where(np.array(C["segs"], dtype=object)[C["seg"]] == "key_account", 1.5, 1.0)
    cq_c, cq_q = np.repeat(np.arange(n), N), np.tile(np.arange(N), n)
    active = C["prospect"][cq_c] | (cq_q >= C["start_q"][cq_c] - 1)
    cnt = rng.poisson(rate[cq_c] * active) if proc is not None else np.zeros(len(cq_c), dtype=int)
    pc, pq = np.repeat(cq_c, cnt), np.repeat(cq_q, cnt)
    begin = in_quarter(rng, qs, pq)
    if proc is None:
        return dict(client=pc, q=pq, begin=begin, lead=np.zeros(0), proc=None)
    acts, hours = [s.activity for s in proc.steps], np.array([s.target_hours for s in proc.steps])
    case, step, _, prc, wait = _steps(rng, [np.arange(len(acts))], np.zeros(len(pc), dtype=int), hours, 0.6, 0.4)
    slow = C["unit_id"][pc] == st.BOTTLENECK["business_unit"]
    med = np.where(slow, st.APPROVAL_WAIT_MEDIAN_HOURS["bottleneck"], st.APPROVAL_WAIT_MEDIAN_HOURS["other"])
    approval = step == (acts.index(st.BOTTLENECK["activity"]) if st.BOTTLENECK["activity"] in acts else -1)
    wait[approval] = rng.lognormal(np.log(med[case[approval]]), 0.45) * HOUR
    start, end = _run(case, begin, wait, prc)
    last = np.cumsum(np.bincount(case, minlength=len(pc))) - 1
    return dict(client=pc, q=pq, begin=begin, lead=(end[last] - begin) / DAY, proc=proc, case=case, step=step,
                start=start, end=end, wait=wait)


def _churn(rng, C: dict, S: dict, qs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which customers left, and when: the lower their NPS before that quarter, the likelier."""
    n = C["n"]
    when = rng.integers(0, N, n)
    before = S["q"] < when[S["client"]]
    mean_nps, cnt = mean_by(S["client"][before], S["nps"][before].astype(float), n)
    m = np.where(cnt > 0, mean_nps, 7.6 + 1.6 * C["u"])
    p = 1 / (1 + np.exp(-(st.CHURN_BASE + st.CHURN_PER_NPS_POINT * (7.5 - m))))
    former = ~C["prospect"] & ((C["start_q"] == 0) | (C["start_q"] < when)) & (rng.random(n) < p)
    churned_at = np.where(former, qs[when] + np.floor(rng.uniform(3, 85, n)) * DAY + 12 * HOUR, np.nan)
    return former, np.where(former, when, N), churned_at


def _subset(d: dict, keep: np.ndarray) -> dict:
    """Rows `keep` (a mask or an index) of every array in d that has one value per row."""
    def cut(v):
        if isinstance(v, dict):
            return _subset(v, keep)
        return v[keep] if isinstance(v, np.ndarray) and v.shape[:1] == keep.shape else v
    return {k: cut(v) for k, v in d.items()}


def _contacts(rng, model: ServiceModel, C: dict) -> dict:
    """The people at each client who may answer: a decision maker first, then influencers."""
    n = C["n"]
    key = np.array(C["segs"], dtype=object)[C["seg"]] == "key_account"
    k = np.where(C["prospect"], 1 + (rng.random(n) < 0.4), 2 + np.minimum(rng.poisson(1.4, n), 4) + key)
    client = np.repeat(np.arange(n), k)
    roles = model.option_ids("respondent_roles")
    role = np.array(roles, dtype=object)[st.choose(rng, roles, st.ROLE_MIX, len(client))]
    role[np.r_[True, client[1:] != client[:-1]]] = "decision_maker" if "decision_maker" in roles else roles[0]
    names, emails, phones = st.people(rng, [C["domains"][c] for c in client])
    return dict(client=client, role=role, name=np.array(names, dtype=object), email=np.array(emails, dtype=object),
                phone=np.array(phones, dtype=object), consent=rng.random(len(client)) < 0.35)


def _quarter_facts(C: dict, OD: dict, P: dict, qs: np.ndarray, as_of: float) -> dict:
    """Per client × quarter: share of deliveries that were late, deliveries, proposals, proposal lead."""
    size, n_units = C["n"] * N, len(C["units"])
    dq = np.searchsorted(qs, OD["delivered"], side="right") - 1
    ok = (OD["delivered"] <= as_of) & (dq < N)
    late_share, n_deliv = mean_by(OD["client"][ok] * N + dq[ok], OD["late"][ok].astype(float), size)
    lead, n_prop = mean_by(P["client"] * N + P["q"], P["lead"], size)
    unit_lead = mean_by(C["unit"][P["client"]], P["lead"], n_units)[0]
    unit_lead = np.nan_to_num(unit_lead, nan=st.PROPOSAL_LEAD_OK_DAYS)[np.repeat(C["unit"], N)]
    return dict(late_share=np.nan_to_num(late_share), delivered=n_deliv > 0, proposed=n_prop > 0,
                lead=np.where(n_prop > 0, lead, unit_lead))


def _experience(rng, model: ServiceModel, C: dict, cl: np.ndarray, rq: np.ndarray, F: dict, cq: np.ndarray):
    """Latent experience per touchpoint (SD units) with the planted effects, and NPS from the driver weights."""
    tps = model.touchpoints
    tp_ids, stages = [t.id for t in tps], np.array([t.stage for t in tps], dtype=object)
    Z = st.CLIENT_SHARE * C["u"][cl][:, None] + np.sqrt(1 - st.CLIENT_SHARE**2) * rng.normal(size=(len(cl), len(tps)))
    for (u, t), shift in st.TOUCHPOINT_OFFSETS.items():
        if t in tp_ids:
            Z[C["unit_id"][cl] == u, tp_ids.index(t)] += shift
    if st.DELIVERY_TOUCHPOINT in tp_ids:
        ls = F["late_share"][cq]
        Z[:, tp_ids.index(st.DELIVERY_TOUCHPOINT)] += st.LATE_SHARE_EFFECT * ls + st.ANY_LATE_EFFECT * (ls > 0)
    if st.PROPOSAL_TOUCHPOINT in tp_ids:
        over = np.clip((F["lead"][cq] - st.PROPOSAL_LEAD_OK_DAYS) / 2, 0, 3)
        Z[:, tp_ids.index(st.PROPOSAL_TOUCHPOINT)] += st.PROPOSAL_LEAD_EFFECT * over
    prospect = C["prospect"][cl]
    lived = ~prospect[:, None] | np.isin(stages, list(st.PROSPECT_STAGES))[None, :]  # prospects: pre-sale only
    base = (lookup(st.NPS_BASE, C["units"], 8.2)[C["unit"][cl]] + st.PROSPECT_NPS_SHIFT * prospect
            + st.NPS_DRIFT_PER_WAVE * rq)
    nps = base + (Z * lived) @ lookup(st.DRIVER_WEIGHTS, tp_ids, 0.0) + rng.normal(0, st.NPS_NOISE, len(cl))
    return Z, lived, np.clip(np.round(nps), 0, 10).astype(int)


def _rated(rng, model: ServiceModel, role: np.ndarray, prospect: np.ndarray, lived: np.ndarray, had: dict):
    """Which touchpoints each respondent rates: by role, by what happened that quarter, and at random."""
    tps = model.touchpoints
    tp_ids, stages = [t.id for t in tps], np.array([t.stage for t in tps], dtype=object)
    scope = lived.copy()
    for r, stg in st.ROLE_STAGES.items():
        if stg is not None:
            scope[role == r] &= np.isin(stages, list(stg))
    p = np.full(scope.shape, 0.8)
    for tp_id, happened in had.items():
        if tp_id in tp_ids:  # nothing happened at this stage this quarter: most skip it
            p[np.ix_(~prospect & ~happened, stages == tps[tp_ids.index(tp_id)].stage)] = 0.35
    return scope & (rng.random(scope.shape) < p)


def _surveys(rng, model: ServiceModel, C: dict, OD: dict, P: dict, qs: np.ndarray, as_of: float) -> dict:
    """Responses of each client's contacts per wave; ratings and NPS carry the planted effects."""
    tps, K = model.touchpoints, _contacts(rng, model, C)
    rc, rq = np.repeat(np.arange(len(K["client"])), N), np.tile(np.arange(N), len(K["client"]))
    cl = K["client"][rc]
    rate = np.where(C["prospect"][cl], st.RESPONSE_RATE["prospect"], st.RESPONSE_RATE["customer"])
    rate *= np.where(np.array(C["grades"], dtype=object)[C["grade"][cl]] == "a", 1.15, 1.0)
    keep = (C["prospect"][cl] | (rq >= C["start_q"][cl])) & (rng.random(len(rc)) < rate)
    rc, rq, cl = rc[keep], rq[keep], cl[keep]
    R, cq, F = len(rc), cl * N + rq, _quarter_facts(C, OD, P, qs, as_of)
    Z, lived, nps = _experience(rng, model, C, cl, rq, F, cq)
    had = {st.PROPOSAL_TOUCHPOINT: F["proposed"][cq], st.DELIVERY_TOUCHPOINT: F["delivered"][cq]}
    rated = _rated(rng, model, K["role"][rc], C["prospect"][cl], lived, had)
    lo, hi = np.array([t.scale.min for t in tps]), np.array([t.scale.max for t in tps])
    rating = np.clip(np.round(lo + (hi - lo) * (0.74 + 0.21 * Z) + rng.normal(0, 0.3, Z.shape)), lo, hi)
    effort = (Z * lived).sum(1) / lived.sum(1)
    ces = np.clip(np.round(2 * (3.3 - 0.7 * effort + rng.normal(0, 0.9, R))) / 2, 1, 7)  # mean of two items
    imp = {}
    for t in (t for t in tps if t.importance_column):
        own = C["imp"].get(t.importance_column)
        value = own[cl] if own is not None else rng.integers(2, 6, R).astype(float)
        value = np.clip(value + rng.integers(-1, 2, R) * (rng.random(R) < 0.3), 1, 5)
        imp[t.importance_column] = np.where(rng.random(R) < 0.3, value, np.nan)
    channels, consent = model.option_ids("channels"), K["consent"][rc]
    return dict(
        client=cl, q=rq, role=K["role"][rc], nps=nps, rating=np.where(rated, rating, np.nan), imp=imp,
        ces=np.where(rng.random(R) < 0.9, ces, np.nan), late_share=F["late_share"][cq],
        channel=np.array(channels, dtype=object)[st.choose(rng, channels, st.CHANNEL_MIX, R)],
        comment=st.comments(rng, [t.id for t in tps], Z, lived, nps),
        submitted=qs[rq] + np.floor(45 + rng.random(R) * 44) * DAY + (9 + rng.random(R) * 9) * HOUR,
        name=np.where(consent, K["name"][rc], None), email=np.where(consent, K["email"][rc], None),
        phone=np.where(consent & (rng.random(R) < 0.8), K["phone"][rc], None),
    )


def _client_values(rng, C: dict, OD: dict, S: dict, as_of: float) -> None:
    """First order, annual revenue and LTV (lower for clients who recommend less, who leave sooner)."""
    n, cust = C["n"], ~C["prospect"]
    first = np.full(n, np.inf)
    np.minimum.at(first, OD["client"], OD["ordered"])
    old = -np.floor(rng.uniform(30, 12 * 365, n)) * DAY + 10 * HOUR
    C["first_at"] = np.where(cust, np.where((C["start_q"] == 0) | ~np.isfinite(first), old, first), np.nan)
    end_q = np.where(C["former"], C["churn_q"], N)
    recent = OD["q"] >= end_q[OD["client"]] - 4
    revenue = np.bincount(OD["client"][recent], weights=OD["amount"][recent], minlength=n)
    typical = C["lam"] * 4 * (OD["amount"].mean() if len(OD["amount"]) else 1e6)
    C["revenue"] = np.where(cust, np.round(np.where(revenue > 0, revenue, typical), 2), np.nan)
    nps_c, cnt = mean_by(S["client"], S["nps"].astype(float), n)
    C["nps_c"] = np.where(cnt > 0, nps_c, 7.6 + 1.6 * C["u"])
    tenure = (np.where(C["former"], C["churned_at"], as_of) - C["first_at"]) / (365.25 * DAY)
    remaining = np.where(C["former"], 0.0, st.remaining_years(C["nps_c"]))
    C["ltv"] = np.round(C["revenue"] * st.MARGIN * (tenure + remaining), 2)


def _clients_frame(model: ServiceModel, C: dict) -> pl.DataFrame:
    statuses = model.option_ids("statuses")
    current = "current" if "current" in statuses else statuses[0]
    former = "former" if "former" in statuses else current
    return make_frame({
        "client_id": C["id"], "name": C["names"], "business_unit": C["unit_id"],
        "segment": np.array(C["segs"], dtype=object)[C["seg"]],
        "grade": np.array(C["grades"], dtype=object)[C["grade"]],
        "status": np.where(C["prospect"], C["pstatus"], np.where(C["former"], former, current)),
        "region": C["region"], "revenue": pl.Series(C["revenue"], nan_to_null=True),
        "ltv": pl.Series(C["ltv"], nan_to_null=True), "first_order_at": to_datetime(C["first_at"]),
        "churned_at": to_datetime(C["churned_at"]), **C["imp"],
    })


def _survey_frames(model: ServiceModel, C: dict, S: dict) -> list[pl.DataFrame]:
    S = _subset(S, np.lexsort((S["submitted"], S["q"])))
    data = {
        "response_id": np.array([f"R{i + 1:06d}" for i in range(len(S["q"]))], dtype=object),
        "client_id": C["id"][S["client"]], "respondent_role": S["role"], "submitted_at": to_datetime(S["submitted"]),
        "nps": S["nps"], "ces": pl.Series(S["ces"], nan_to_null=True), "channel": S["channel"],
        "comment": S["comment"], "respondent_name": S["name"], "email": S["email"], "phone": S["phone"],
    }
    for j, t in enumerate(model.touchpoints):
        data[t.rating_column] = pl.Series(S["rating"][:, j], nan_to_null=True).cast(pl.Int64)
        if t.importance_column:
            data[t.importance_column] = pl.Series(S["imp"][t.importance_column], nan_to_null=True)
    table = make_frame(data).with_columns(wave=pl.Series(S["q"]))
    columns = source_spec("surveys", model).column_names
    return [table.filter(pl.col("wave") == w).select(columns) for w in range(N)]


def _write_cp1251(frame: pl.DataFrame, path: Path) -> None:
    """Like a Russian Excel/1C export: cp1251, `;`, decimal comma, dd.mm.yyyy hh:mm, CRLF."""
    text = frame.with_columns(pl.col(pl.Datetime).dt.strftime("%d.%m.%Y %H:%M")).write_csv(
        separator=";", decimal_comma=True, float_precision=1, line_terminator="\r\n")
    path.write_bytes(text.encode("cp1251"))


def _write_xlsx(frame: pl.DataFrame, path: Path, title: str) -> None:
    """An XLSX export with a title row above the header; fixed metadata keeps it byte-identical."""
    import datetime as dt

    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as wb:
        wb.set_properties({"created": dt.datetime(2026, 10, 15), "title": title})
        ws = wb.add_worksheet("Responses")
        ws.write(0, 0, title)
        frame.write_excel(wb, ws, position="A2", autofilter=False, float_precision=1)


def _keep_cases(P: dict, keep: np.ndarray) -> dict:
    """Proposal cases `keep` (a mask over cases) with their step rows, renumbered in time order."""
    if P["proc"] is None:
        return _subset(P, keep)
    rows = keep[P["case"]]
    order = np.argsort(P["begin"][keep], kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    cases = {k: P[k][keep][order] for k in ("client", "q", "begin", "lead")}
    return cases | {"proc": P["proc"], "case": rank[(np.cumsum(keep) - 1)[P["case"][rows]]],
                    "step": P["step"][rows], "start": P["start"][rows], "end": P["end"][rows],
                    "wait": P["wait"][rows]}


def _proposal_events(rng, P: dict, C: dict, pools, as_of: float) -> pl.DataFrame:
    proc, case = P["proc"], P["case"]
    acts, deps = [s.activity for s in proc.steps], [s.department for s in proc.steps]
    ids = np.array([f"P-{i + 1:06d}" for i in range(len(P["begin"]))], dtype=object)
    extra = {"client_id": C["id"][P["client"]][case], "product_class": np.full(len(case), None, dtype=object),
             "due_at": (P["begin"] + 7 * DAY)[case]}
    return _event_frame(proc.id, ids[case], P["step"], acts, deps, pools, rng, P["start"], P["end"], as_of, extra)


def _simulate(rng, model: ServiceModel, scale: float) -> tuple[dict, dict]:
    """The company's two years: clients, orders, proposals, answers, churn, then the logs and tickets."""
    qs, labels, as_of = quarters()
    C = _clients(rng, model, max(60, round(st.CLIENTS_AT_SCALE_1 * scale)))
    OD, P = _orders(rng, model, C, qs), _proposals(rng, model, C, qs)
    S = _surveys(rng, model, C, OD, P, qs, as_of)
    C["former"], C["churn_q"], C["churned_at"] = _churn(rng, C, S, qs)
    OD = _subset(OD, OD["q"] < C["churn_q"][OD["client"]])  # a client who left orders no more
    OD = _subset(OD, np.argsort(OD["ordered"], kind="stable"))
    OD["order_id"] = np.array([f"ORD-{i + 1:06d}" for i in range(len(OD["q"]))], dtype=object)
    OD["client_id"] = C["id"][OD["client"]]
    S = _subset(S, S["q"] < C["churn_q"][S["client"]])
    P = _keep_cases(P, P["q"] < C["churn_q"][P["client"]])
    _client_values(rng, C, OD, S, as_of)
    pools = st.resources(rng, model.option_ids("departments"))
    order_events, shipped, delivered = _order_events(rng, model, OD, pools, as_of)
    logs = [order_events] if order_events is not None else []
    if P["proc"] is not None:
        logs.append(_proposal_events(rng, P, C, pools, as_of))
    T = st.tickets(rng, model, C, OD, qs, as_of)
    frames = {
        "clients": _clients_frame(model, C),
        "surveys": _survey_frames(model, C, S),
        "orders": make_frame({
            "order_id": OD["order_id"], "client_id": OD["client_id"], "ordered_at": to_datetime(OD["ordered"]),
            "promised_at": to_datetime(OD["promised"]), "shipped_at": to_datetime(shipped),
            "delivered_at": to_datetime(delivered), "amount": OD["amount"],
            "product_class": np.array(OD["classes"], dtype=object)[OD["cls"]]}),
        "events": pl.concat(logs, how="diagonal_relaxed").sort("started_at", "case_id", maintain_order=True)
        if logs else None,
        "tickets": make_frame({
            "ticket_id": T["ticket_id"], "client_id": C["id"][T["client"]], "opened_at": to_datetime(T["opened"]),
            "first_response_at": to_datetime(T["first"]), "closed_at": to_datetime(T["closed"]),
            "channel": T["channel"], "touchpoint": T["touchpoint"], "category": T["category"],
            "severity": T["severity"], "text": T["text"]}),
        "kpi_actuals": make_frame(st.kpi_rows(rng, model, C, S, qs, labels)),
    }
    return frames, st.ground_truth(model, C, OD, P, S, T, labels)


def generate_demo(out_dir: Path, model: ServiceModel, seed: int = 7, scale: float = 1.0) -> DemoFiles:
    """Write the demo company's import files and ground_truth.json into out_dir; list them in load order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames, truth = _simulate(np.random.default_rng(seed), model, scale)
    labels = quarters()[1]
    files: list[tuple[str, Path]] = []
    rows: dict[str, int] = {}

    def write(source: str, name: str, frame: pl.DataFrame, how: str = "csv") -> None:
        frame, path = frame.select(source_spec(source, model).column_names), out_dir / name
        if how == "cp1251":
            _write_cp1251(frame, path)
        elif how == "xlsx":
            _write_xlsx(frame, path, f"Survey export — wave {labels[XLSX_WAVE]}")
        else:
            frame.write_csv(path, datetime_format="%Y-%m-%d %H:%M:%S", float_scientific=False)
        files.append((source, path))
        rows[name] = frame.height

    write("clients", "clients.csv", frames["clients"])
    for w, frame in enumerate(frames["surveys"]):
        how = {CP1251_WAVE: "cp1251", XLSX_WAVE: "xlsx"}.get(w, "csv")
        write("surveys", f"surveys_{labels[w].replace('-', '')}.{'xlsx' if how == 'xlsx' else 'csv'}", frame, how)
    for source in ("orders", "events", "tickets", "kpi_actuals"):
        if frames[source] is not None:
            write(source, f"{source}.csv", frames[source])
    truth = {"seed": seed, "scale": scale, "as_of": str(st.AS_OF)[:10], "waves": labels, **truth, "rows": rows}
    gt_path = out_dir / "ground_truth.json"
    gt_path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return DemoFiles(files=files, ground_truth=gt_path)
