-- grain: survey batch × process × step that serves a touchpoint × client × period × respondent role,
-- where the client both waited before the step (stg_client_step_waits) and answered in the quarter:
-- the client's wait x, its slot and keys, and its answers' least-squares sums — count, NPS code
-- (+100 / 0 / −100) count, sum and sum of squares, the served touchpoint's rating count, sum and sum
-- of squares (whole numbers: ratings and NPS are integers).
-- Kept per survey batch (PER_SURVEY_BATCH in models.py): a load joins only its own answers to the
-- waits. The bottleneck page reads it under a respondent-role filter
-- (app/warehouse/wait_cost_queries.py), mart_wait_cost_groups (summed over the roles) without one.
with answers as (
    select batch_id, client_id, date_trunc('quarter', submitted_at) as quarter_start, respondent_role,
           count(*) as n_answers, count(nps_code) as n_nps, sum(nps_code)::double as s_nps,
           sum(nps_code * nps_code)::double as q_nps,
           ${wait_rating_sums}
    from (
        select *, 100 * ((nps >= 9)::integer - (nps <= 6)::integer) as nps_code
        from raw_surveys
        -- nothing to join before any events are loaded: a survey-only warehouse skips the sums
        where ${survey_batch_filter} and client_id is not null
          and exists (select 1 from stg_client_step_waits)
    )
    group by batch_id, client_id, quarter_start, respondent_role
)
select a.batch_id, w.process, w.activity, w.touchpoint_id, w.client_id, w.period, a.respondent_role,
       w.x, w.slot, w.business_unit, w.segment, w.grade, w.status,
       a.n_answers, a.n_nps, a.s_nps, a.q_nps,
       ${wait_served_rating}
from (select quarter_of(quarter_start) as period, * exclude (quarter_start) from answers) a
join stg_client_step_waits w using (client_id, period)
