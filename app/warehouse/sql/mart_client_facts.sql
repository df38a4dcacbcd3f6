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
    select client_id, quarter_of(submitted_at) as period,
           count(*) as n,
           100.0 * (count(*) filter (where nps >= 9) - count(*) filter (where nps <= 6)) / count(*) as nps,
           count(*) filter (where nps <= 6) as n_detractors
    from raw_surveys
    where client_id is not null and nps is not null
    group by all
), client_ratings as (
    -- every touchpoint's rating aggregated side by side in one scan of the wide responses
    select client_id, quarter_of(submitted_at) as period,
           ${client_rating_aggregates}
    from raw_surveys
    where client_id is not null
    group by all
), ratings as (
    ${client_rating_unpivot}
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
