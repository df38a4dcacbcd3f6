-- grain: client × period (quarter) × fact, for the facts from accounting (orders) and service
-- (tickets): on_time_share (0–1 of delivered orders), avg_delay_days (of late orders; 0 when none was
-- late), n_late_orders, first_response_hours (mean over answered tickets), n_tickets; with the
-- client's keys as they are now. Does not read surveys, so a survey load leaves it alone.
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
), facts as (
    select client_id, period, 'on_time_share' as fact, on_time_share::double as value, n from deliveries
    union all
    select client_id, period, 'avg_delay_days', avg_delay_days::double, n from deliveries
    union all
    select client_id, period, 'n_late_orders', n_late::double, n from deliveries
    union all
    select client_id, period, 'first_response_hours', first_response_hours::double, n_answered
    from tickets where n_answered > 0
    union all
    select client_id, period, 'n_tickets', n_tickets::double, n_tickets from tickets
)
select f.client_id, f.period, c.business_unit, c.segment, c.grade, c.status,
       f.fact, null::varchar as touchpoint_id, f.value, f.n::integer as n
from facts f
join stg_clients c using (client_id)
