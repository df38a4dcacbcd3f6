-- grain: survey batch × period × segment keys (business unit, segment, grade, status, respondent role).
-- One scan of the responses aggregates NPS counts, CES and every touchpoint's rating columns side by
-- side (${n_touchpoints} touchpoints). Kept per batch (PER_SURVEY_BATCH in models.py): a load adds
-- its batch's rows, a rollback deletes them; stg_survey_cube sums the batches.
with responses as (
    select
        r.batch_id,
        quarter_of(r.submitted_at) as period,
        c.business_unit, c.segment, c.grade, c.status, r.respondent_role,
        r.nps >= 9 as is_promoter,
        r.nps <= 6 as is_detractor,
        r.* exclude (batch_id)
    from (select * from raw_surveys where ${survey_batch_filter}) r
    left join stg_clients c using (client_id)
)
select
    batch_id, period, business_unit, segment, grade, status, respondent_role,
    count(*) as n,
    count_if(is_promoter) as n_promoters,
    count_if(not is_promoter and not is_detractor) as n_passives,
    count_if(is_detractor) as n_detractors,
    sum(ces) as sum_ces,
    count(ces) as n_ces,
    ${touchpoint_aggregates}
from responses
group by all
