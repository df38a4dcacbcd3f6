-- grain: one row per survey response that rated at least one touchpoint: the touchpoint it rated
-- lowest on the 0–100 scale (ties: a moment of truth first, then journey order). A comment is read
-- as being about this touchpoint, and a detractor's follow-up case goes to its department.
-- Computed inside each wide survey row, not over the long form: the ${n_touchpoints} scores as a list in
-- tie-break order, its minimum, and the first position holding it (a list lookup is ~2.5× faster
-- than a CASE chain per touchpoint). A view: its readers need it for a batch's comments and
-- detractors only. ${focus_rows} is true for the view; mart_feedback embeds this SQL with it set to
-- one batch's commented answers, so the lists are built only for those (a filter on the view's
-- output would come after the lists were built for every answer).
with scored as (
    select response_id, batch_id,
           [${focus_scores}] as scores,
           [${focus_ratings}] as ratings
    from raw_surveys
    where ${focus_rows}
), lowest as (
    select *, list_min(scores) as score_100
    from scored
), placed as (
    select *, list_position(scores, score_100) as position
    from lowest
    where score_100 is not null
)
select
    response_id,
    ([${focus_touchpoints}])[position] as touchpoint_id,
    ([${focus_stages}])[position] as stage_id,
    ratings[position] as rating,
    score_100,
    batch_id
from placed
