-- grain: period × segment keys × touchpoint; additive sums and counts so any filter can re-aggregate
select
    period, business_unit, segment, grade, status, respondent_role,
    stage_id, touchpoint_id,
    count(*) as n,
    sum(rating) as sum_rating,
    sum(rating * rating) as sum_rating_sq,
    sum(score_100) as sum_score_100,
    count(*) filter (where is_top2) as n_top2,
    count(*) filter (where is_promoter) as n_promoters,
    count(*) filter (where is_detractor) as n_detractors,
    sum(importance) as sum_importance,
    count(importance) as n_importance
from mart_ratings
group by all
