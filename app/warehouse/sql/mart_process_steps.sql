-- grain: one row per executed step (event), with its wait before, duration, rework and deadline;
-- previous_activity / is_last_event give the directly-follows graph without re-sorting the log.
-- The step analytics' per-event figures (definitions in app/analytics/bottlenecks.py) are computed
-- here once per event load, so the bottleneck page only aggregates under its filters
-- (app/warehouse/process_report_queries.py): open steps and open cases are measured up to
-- log_as_of, the newest moment the process's whole log knows of (the export's moment, which a filter
-- does not move).
with ordered as (
    select
        e.*,
        s.step_order,
        s.department as planned_department,
        s.target_hours,
        s.deadline_offset_hours,
        lag(e.ended_at) over (partition by e.process, e.case_id order by e.started_at, e.source_row) as previous_ended_at,
        lag(e.activity) over (partition by e.process, e.case_id order by e.started_at, e.source_row) as previous_activity,
        lead(e.activity) over (partition by e.process, e.case_id order by e.started_at, e.source_row) is null as is_last_event,
        row_number() over (partition by e.process, e.case_id, e.activity order by e.started_at) as occurrence,
        -- the case as a whole (one partition for all five): a case is complete once the process's last
        -- step (in the service model) has ended and no step is open (as mart_process_cases says)
        min(e.started_at) over (partition by e.process, e.case_id) as case_started_at,
        bool_and(e.ended_at is not null) over (partition by e.process, e.case_id)
            and coalesce(bool_or(s.step_order = l.last_order) over (partition by e.process, e.case_id), true)
            as is_case_complete,
        max(e.ended_at) over (partition by e.process, e.case_id) as case_last_ended_at,
        max(e.due_at) over (partition by e.process, e.case_id) as case_due_at
    from raw_events e
    left join dim_process_steps s on s.process = e.process and s.activity = e.activity
    left join (select process, max(step_order) as last_order from dim_process_steps group by process) l
        on l.process = e.process
),
steps as (
    select
        o.case_id,
        o.process,
        o.activity,
        o.previous_activity,
        o.is_last_event,
        o.step_order,
        o.planned_department,
        coalesce(o.department, o.planned_department) as department,
        o.resource,
        o.started_at,
        o.ended_at,
        o.ended_at is null as is_open,
        date_diff('second', o.started_at, o.ended_at) / 3600.0 as duration_hours,
        greatest(0, date_diff('second', o.previous_ended_at, o.started_at) / 3600.0) as wait_hours,
        o.occurrence > 1 as is_rework,
        o.occurrence = 2 as is_first_rework,
        o.target_hours,
        o.due_at,
        o.due_at + to_microseconds(cast(o.deadline_offset_hours * 3600e6 as bigint)) as deadline_at,
        o.client_id,
        coalesce(o.product_class, ord.product_class) as product_class,
        c.business_unit,
        c.segment,
        c.grade,
        c.status,
        quarter_of(o.case_started_at) as period,
        o.batch_id,
        o.source_row,
        lg.log_as_of,
        o.is_case_complete,
        o.case_last_ended_at,
        o.case_due_at
    from ordered o
    left join stg_clients c on c.client_id = o.client_id
    -- a case whose id is an order id (order fulfilment, in any company's model) takes the order's product class
    left join raw_orders ord on ord.order_id = o.case_id
    join (select process, max(greatest(started_at, coalesce(ended_at, started_at))) as log_as_of
          from raw_events group by process) lg on lg.process = o.process
),
timed as (
    select
        *,
        -- running time so far of an open step, up to the log's as-of moment
        coalesce(duration_hours, greatest(0, (epoch_us(log_as_of) - epoch_us(started_at)) / 3.6e9)) as elapsed_hours,
        -- a case's hours past due: finished cases at their end, open ones at the as-of moment (null
        -- without a due time; DuckDB's greatest() skips nulls, hence the case)
        case when case_due_at is not null then greatest(0, (epoch_us(case when is_case_complete
            then case_last_ended_at else log_as_of end) - epoch_us(case_due_at)) / 3.6e9) end as case_lateness_hours
    from steps
),
measured as (
    select
        *,
        coalesce(wait_hours, 0) + elapsed_hours as step_hours,
        coalesce(greatest(coalesce(wait_hours, 0) + elapsed_hours - target_hours, 0), 0) as excess_hours,
        coalesce(coalesce(wait_hours, 0) + elapsed_hours > target_hours, false) as is_over
    from timed
),
-- Rework is rare, so what only rework can change is looked up for the few cases that have it,
-- instead of a window over every event:
-- a case breaches at a step once, on its first run, when any run of the step went over target;
over_again as (
    select distinct process, case_id, step_order from measured where is_rework and is_over
),
-- the first time a case takes a transition (counting these counts cases per edge) is every
-- transition of a case without rework;
transitions_again as (
    select process, case_id, source_row,
           row_number() over (partition by process, case_id, previous_activity, activity
                              order by started_at, source_row) = 1 as is_first_transition
    from measured
    where (process, case_id) in (select process, case_id from measured where is_rework)
),
-- each late case's hours past due are split across its steps by how far each ran over target.
late_excess as (
    select process, case_id, sum(excess_hours) as case_excess
    from measured where case_lateness_hours > 0 group by process, case_id
)
select
    m.* exclude (source_row, case_last_ended_at, case_due_at),
    case when m.ended_at is not null then m.step_hours end as finished_step_hours,
    -- a finished step over its to-be target (null while running or without a target)
    case when m.ended_at is not null then m.step_hours > m.target_hours end as is_over_target,
    not m.is_rework and (m.is_over or oa.case_id is not null) as is_over_case,
    case when le.case_excess > 0 then m.case_lateness_hours * m.excess_hours / le.case_excess else 0 end
        as lateness_attributed_hours,
    coalesce(ta.is_first_transition, true) as is_first_transition
from measured m
left join over_again oa
    on oa.process = m.process and oa.case_id = m.case_id and oa.step_order is not distinct from m.step_order
left join transitions_again ta
    on ta.process = m.process and ta.case_id = m.case_id and ta.source_row = m.source_row
left join late_excess le on le.process = m.process and le.case_id = m.case_id
