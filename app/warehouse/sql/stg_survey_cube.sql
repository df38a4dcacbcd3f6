-- grain: period × segment keys (business unit, segment, grade, status, respondent role): the survey
-- batches' cubes summed. Small (a few thousand rows); mart_nps and mart_touchpoint_scores are cut
-- from it.
select
    period, business_unit, segment, grade, status, respondent_role,
    ${cube_sums}
from stg_survey_batch_cube
group by all
