-- grain: period × segment keys; additive counts for NPS, its margin of error, and CES
select
    period, business_unit, segment, grade, status, respondent_role,
    n, n_promoters, n_passives, n_detractors, sum_ces, n_ces
from stg_survey_cube
