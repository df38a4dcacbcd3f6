-- grain: one row per response × rated touchpoint (long form of the survey's rating columns)
with long as (
    ${rating_union}
)
select
    r.response_id,
    r.client_id,
    r.period,
    r.submitted_at,
    r.business_unit,
    r.segment,
    r.grade,
    r.status,
    r.respondent_role,
    r.nps,
    r.is_promoter,
    r.is_detractor,
    t.stage_id,
    t.stage_order,
    l.touchpoint_id,
    t.touchpoint_order,
    l.rating,
    l.importance,
    100.0 * (l.rating - t.scale_min) / (t.scale_max - t.scale_min) as score_100,
    l.rating >= t.top2_min as is_top2
from long l
join mart_responses r using (response_id)
join dim_touchpoints t using (touchpoint_id)
