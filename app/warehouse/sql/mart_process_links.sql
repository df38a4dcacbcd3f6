-- grain: one row per case × link of its process's deadline chain (the steps with a deadline offset in
-- the service model): the link's deadline, the end of the step's last run, and whether the link held,
-- broke or is still pending at the log's as-of moment (definitions: app/analytics/deadline_chain.py).
-- Links a case ran come from its events; links an open case has not reached yet come from the chain
-- (due time + offset); a finished case that skipped a link is not judged on it. is_first_broken marks
-- each case's earliest broken link. Built once per event load, so the Bottlenecks page's as-is vs
-- to-be tab aggregates instead of reading every event with a deadline.
with chain as (
    select process, activity, step_order, deadline_offset_hours
    from dim_process_steps
    where deadline_offset_hours is not null
),
ran as (
    select
        process, case_id, step_order,
        any_value(activity) as activity,
        any_value(due_at) as due_at,
        any_value(deadline_at) as deadline_at,
        -- a step still running in any of its runs has not ended
        case when bool_or(ended_at is null) then null else max(ended_at) end as ended_at
    from mart_process_steps
    where deadline_at is not null
    group by process, case_id, step_order
),
ahead as (
    select c.process, c.case_id, l.step_order, l.activity, c.due_at,
           c.due_at + to_microseconds(cast(round(l.deadline_offset_hours * 3.6e9) as bigint)) as deadline_at,
           null::timestamp as ended_at
    from mart_process_cases c
    join chain l on l.process = c.process
    where not c.is_complete and c.due_at is not null
      and not exists (select 1 from ran r
                      where r.process = c.process and r.case_id = c.case_id and r.step_order = l.step_order)
),
links as (
    select
        k.*,
        (epoch_us(k.deadline_at) - epoch_us(k.due_at)) / 3.6e9 as deadline_offset_hours,
        (epoch_us(k.ended_at) - epoch_us(k.due_at)) / 3.6e9 as end_vs_due_hours,
        case when k.ended_at is not null and k.ended_at <= k.deadline_at then 'held'
             when k.ended_at is not null or c.log_as_of > k.deadline_at then 'broken'
             else 'pending' end as link_status,
        c.period, c.business_unit, c.segment, c.grade, c.status, c.product_class
    from (select * from ran union all select * from ahead) k
    join mart_process_cases c on c.process = k.process and c.case_id = k.case_id
)
select
    *,
    link_status = 'broken' and row_number() over (
        partition by process, case_id, link_status = 'broken' order by step_order) = 1 as is_first_broken
from links
