-- grain: one row per executed step (event), with its wait before, duration, rework and deadline;
-- previous_activity / is_last_event give the directly-follows graph without re-sorting the log
with ordered as (
    select
        e.*,
        lag(e.ended_at) over (partition by e.process, e.case_id order by e.started_at, e.source_row) as previous_ended_at,
        lag(e.activity) over (partition by e.process, e.case_id order by e.started_at, e.source_row) as previous_activity,
        lead(e.activity) over (partition by e.process, e.case_id order by e.started_at, e.source_row) is null as is_last_event,
        row_number() over (partition by e.process, e.case_id, e.activity order by e.started_at) as occurrence,
        min(e.started_at) over (partition by e.process, e.case_id) as case_started_at
    from raw_events e
)
select
    o.case_id,
    o.process,
    o.activity,
    o.previous_activity,
    o.is_last_event,
    s.step_order,
    s.department as planned_department,
    coalesce(o.department, s.department) as department,
    o.resource,
    o.started_at,
    o.ended_at,
    o.ended_at is null as is_open,
    date_diff('second', o.started_at, o.ended_at) / 3600.0 as duration_hours,
    greatest(0, date_diff('second', o.previous_ended_at, o.started_at) / 3600.0) as wait_hours,
    o.occurrence > 1 as is_rework,
    s.target_hours,
    (coalesce(greatest(0, date_diff('second', o.previous_ended_at, o.started_at) / 3600.0), 0)
        + date_diff('second', o.started_at, o.ended_at) / 3600.0) > s.target_hours as is_over_target,
    o.due_at,
    o.due_at + to_microseconds(cast(s.deadline_offset_hours * 3600e6 as bigint)) as deadline_at,
    o.client_id,
    coalesce(o.product_class, ord.product_class) as product_class,
    c.business_unit,
    c.segment,
    c.grade,
    c.status,
    quarter_of(o.case_started_at) as period,
    o.batch_id
from ordered o
left join dim_process_steps s on s.process = o.process and s.activity = o.activity
left join stg_clients c on c.client_id = o.client_id
-- a case whose id is an order id (order fulfilment, in any company's model) takes the order's product class
left join raw_orders ord on ord.order_id = o.case_id
