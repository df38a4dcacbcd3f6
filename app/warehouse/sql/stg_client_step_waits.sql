-- grain: process × step that serves a touchpoint × client × period (the quarter its cases started):
-- the client's mean wait before the step over those cases (x, days), its wait slot
-- (floor(8·√minutes), monotone in x: app/warehouse/wait_cost_queries.py bins by it), the touchpoint
-- the step serves (its own, else the next one down the process — as
-- app.analytics.wait_cost.served_touchpoints) and the client's keys as they are now.
-- Events only: the global filters keep or drop whole clients and quarters, so x is the same under
-- every filter, and a survey load joins its batch's answers to these rows (mart_wait_cost_group_roles)
-- instead of re-aggregating every event.
with served as (
    select process, activity,
           first_value(touchpoint_id ignore nulls) over (
               partition by process order by step_order rows between current row and unbounded following
           ) as touchpoint_id
    from dim_process_steps
), waits as (
    -- summed in whole microseconds (wait_cost_sql.MEAN_WAIT_DAYS): the same x to the last bit in every
    -- build, however the rows are spread over threads
    select process, activity, client_id, period, ${wait_mean_days} as x
    from mart_process_steps
    where client_id is not null and wait_hours is not null
    group by process, activity, client_id, period
)
select w.process, w.activity, s.touchpoint_id, w.client_id, w.period, w.x,
       floor(sqrt(w.x * 1440.0) * 8)::integer as slot,
       c.business_unit, c.segment, c.grade, c.status
from waits w
join served s using (process, activity)
left join stg_clients c using (client_id)
where s.touchpoint_id is not null
