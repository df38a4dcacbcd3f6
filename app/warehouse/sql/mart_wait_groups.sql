-- grain: one row per process step that serves a touchpoint × client × quarter × respondent role, where
-- the client both waited before the step (cases started in the quarter) and answered in the quarter
-- in that role. x: the client's mean wait before the step that quarter (days) — the same under every
-- global filter, because the filters keep or drop whole clients (keys) and whole quarters, and the
-- role filter touches only the answers; slot: floor(8·√minutes), monotone in x. The answers' least-
-- squares sums: count, NPS code (+100/0/−100) count, sum, sum of squares; the served touchpoint's
-- rating count, sum, sum of squares. is_first_role marks one row per client-quarter (its first role)
-- so the page counts client-quarters without a distinct. The bottleneck page's wait cost sums these
-- rows under the filters (app/warehouse/wait_cost_mart.py) instead of joining events to answers.
-- Unsorted: ordering 1.4 million rows at a million answers took 3 of the build's 4.5 CPU seconds.
with waits as (
    select process, activity, client_id, period,
           any_value(business_unit) as business_unit, any_value(segment) as segment,
           any_value(grade) as grade, any_value(status) as status,
           avg(wait_hours) / 24.0 as x
    from mart_process_steps
    where client_id is not null and wait_hours is not null and (${wait_served_steps})
    group by process, activity, client_id, period
), answers as (
    select client_id, date_trunc('quarter', submitted_at) as quarter_start, respondent_role,
           count(*) as n_answers, count(nps_code) as n_nps, sum(nps_code) as s_nps,
           sum(nps_code * nps_code) as q_nps,
           ${wait_rating_sums}
    from mart_answer_ratings
    where client_id is not null
    group by client_id, quarter_start, respondent_role
), roles as (
    select quarter_of(quarter_start) as period,
           row_number() over (partition by client_id, quarter_start order by respondent_role nulls last) = 1
               as is_first_role,
           * exclude (quarter_start)
    from answers
)
select w.process, w.activity, w.client_id, w.period, w.business_unit, w.segment, w.grade, w.status,
       a.respondent_role, w.x, floor(sqrt(w.x * 1440.0) * 8)::integer as slot, a.is_first_role,
       a.n_answers::integer as n_answers, a.n_nps::integer as n_nps, a.s_nps::integer as s_nps,
       a.q_nps::integer as q_nps,
       ${wait_served_rating}
from waits w
join roles a using (client_id, period)
