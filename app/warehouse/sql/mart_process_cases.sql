-- grain: one row per process case: lead time end to end, complete or still open, late against due
-- A case is complete once the process's last step (in the service model) has ended and no step is
-- open: an export taken while a case waits between two steps has no row for the next step yet, so
-- "no open step" alone would call it finished.
-- lateness_hours and log_as_of come from mart_process_steps (see there).
-- variant: the case's path, its activities in order of start (then step order; nulls first, as the
-- event-level path in app/analytics/process_map.py sorts) joined by ' → ', so
-- the page counts paths over cases instead of sorting every event of the filter.
with last_step as (
    select process, max(step_order) as last_order from dim_process_steps group by process
),
cases as (
    select
        s.process,
        s.case_id,
        any_value(s.client_id) as client_id,
        any_value(s.business_unit) as business_unit,
        any_value(s.segment) as segment,
        any_value(s.grade) as grade,
        any_value(s.status) as status,
        any_value(s.product_class) as product_class,
        any_value(s.period) as period,
        min(s.started_at) as started_at,
        max(s.ended_at) as last_ended_at,
        bool_and(not s.is_open) and coalesce(bool_or(s.step_order = l.last_order), true) as is_complete,
        sum(s.wait_hours) as wait_hours,
        count(*) filter (where s.is_rework) as n_rework,
        max(s.due_at) as due_at,
        string_agg(s.activity, ' → ' order by s.started_at nulls first, s.step_order nulls first) as variant,
        any_value(s.case_lateness_hours) as lateness_hours,
        any_value(s.log_as_of) as log_as_of
    from mart_process_steps s
    left join last_step l using (process)
    group by s.process, s.case_id
)
select
    process,
    case_id,
    client_id,
    business_unit,
    segment,
    grade,
    status,
    product_class,
    period,
    started_at,
    case when is_complete then last_ended_at end as ended_at,
    is_complete,
    case when is_complete then date_diff('second', started_at, last_ended_at) / 3600.0 end as lead_time_hours,
    wait_hours,
    n_rework,
    due_at,
    case when is_complete and due_at is not null then last_ended_at > due_at end as is_late,
    variant,
    due_at is not null as has_due,
    -- hours past due (0 on time, null without a due time), open cases counted up to log_as_of
    lateness_hours,
    log_as_of
from cases
