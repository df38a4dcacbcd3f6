-- grain: one row per survey response that rated at least one touchpoint: the touchpoint it rated
-- lowest on the 0–100 scale (ties: a moment of truth first, then journey order). A comment is read
-- as being about this touchpoint, and a detractor's follow-up case goes to its department.
-- Computed inside each wide survey row (least of its ${n_touchpoints} scores, then the first touchpoint in
-- tie-break order that has it), not over the long form: one scan of the responses, no window.
-- A view: its readers need it for a batch's comments and detractors only (filter on batch_id).
with scored as (
    select response_id, batch_id,
           ${focus_scores}
    from raw_surveys
), lowest as (
    select *, least(${focus_score_list}) as score_100
    from scored
)
select
    response_id,
    case ${focus_touchpoint_cases} end as touchpoint_id,
    case ${focus_stage_cases} end as stage_id,
    case ${focus_rating_cases} end as rating,
    score_100,
    batch_id
from lowest
where score_100 is not null
