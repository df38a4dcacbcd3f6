-- grain: period × segment keys; additive counts for NPS, its margin of error, and CES
select
    period, business_unit, segment, grade, status, respondent_role,
    count(*) as n,
    count(*) filter (where is_promoter) as n_promoters,
    count(*) filter (where not is_promoter and not is_detractor) as n_passives,
    count(*) filter (where is_detractor) as n_detractors,
    sum(ces) as sum_ces,
    count(ces) as n_ces
from mart_responses
group by all
