-- grain: client × period (quarter) × fact (× touchpoint for touchpoint_rating): what happened to one
-- client in one quarter, from accounting (orders), service (tickets) and surveys. The satisfaction
-- index (app/analytics/satisfaction_index.py) and the clients page's at-risk flags read this mart.
-- facts: on_time_share (0–1 of delivered orders), avg_delay_days (of late orders; 0 when none was
-- late), n_late_orders, first_response_hours (mean over answered tickets), n_tickets, nps (−100..100
-- of the client's answers), n_detractor_answers, touchpoint_rating (mean raw rating per touchpoint).
with deliveries as (
    select client_id, period,
           count(*) as n,
           avg(case when is_on_time then 1.0 else 0.0 end) as on_time_share,
           coalesce(avg(delay_days) filter (where not is_on_time), 0.0) as avg_delay_days,
           count(*) filter (where not is_on_time) as n_late
    from mart_orders
    where is_delivered and client_id is not null
    group by client_id, period
), tickets as (
    select client_id, period,
           count(*) as n_tickets,
           avg(first_response_hours) as first_response_hours,
           count(first_response_hours) as n_answered
    from mart_tickets
    where client_id is not null
    group by client_id, period
), answers as (
    select client_id, period,
           count(*) as n,
           100.0 * (count(*) filter (where is_promoter) - count(*) filter (where is_detractor)) / count(*) as nps,
           count(*) filter (where is_detractor) as n_detractors
    from mart_responses
    where client_id is not null and nps is not null
    group by client_id, period
), ratings as (
    select client_id, period, touchpoint_id, avg(rating) as rating, count(*) as n
    from mart_ratings
    where client_id is not null
    group by client_id, period, touchpoint_id
), facts as (
    select client_id, period, 'on_time_share' as fact, null::varchar as touchpoint_id,
           on_time_share::double as value, n from deliveries
    union all
    select client_id, period, 'avg_delay_days', null, avg_delay_days::double, n from deliveries
    union all
    select client_id, period, 'n_late_orders', null, n_late::double, n from deliveries
    union all
    select client_id, period, 'first_response_hours', null, first_response_hours::double, n_answered
    from tickets where n_answered > 0
    union all
    select client_id, period, 'n_tickets', null, n_tickets::double, n_tickets from tickets
    union all
    select client_id, period, 'nps', null, nps::double, n from answers
    union all
    select client_id, period, 'n_detractor_answers', null, n_detractors::double, n from answers
    union all
    select client_id, period, 'touchpoint_rating', touchpoint_id, rating::double, n from ratings
)
select f.client_id, f.period, c.business_unit, c.segment, c.grade, c.status,
       f.fact, f.touchpoint_id, f.value, f.n::integer as n
from facts f
join stg_clients c using (client_id)
