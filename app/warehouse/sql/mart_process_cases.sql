-- grain: one row per process case: lead time end to end, complete or still open, late against due
select
    process,
    case_id,
    any_value(client_id) as client_id,
    any_value(business_unit) as business_unit,
    any_value(segment) as segment,
    any_value(grade) as grade,
    any_value(status) as status,
    any_value(product_class) as product_class,
    any_value(period) as period,
    min(started_at) as started_at,
    case when bool_and(not is_open) then max(ended_at) end as ended_at,
    bool_and(not is_open) as is_complete,
    case when bool_and(not is_open)
         then date_diff('second', min(started_at), max(ended_at)) / 3600.0 end as lead_time_hours,
    sum(wait_hours) as wait_hours,
    count(*) filter (where is_rework) as n_rework,
    max(due_at) as due_at,
    case when bool_and(not is_open) and max(due_at) is not null then max(ended_at) > max(due_at) end as is_late
from mart_process_steps
group by process, case_id
