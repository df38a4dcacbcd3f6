-- grain: process × step × business unit × period × segment × grade × status: the counts and sums of
-- mart_process_steps that the Bottlenecks page's step tables show (app/warehouse/process_report_queries.py:
-- CUBE_SUMS), per combination of the global filters' columns. The page sums a few thousand of these
-- rows under the filters and goes to the 900,000 events of a million answers only for the medians and
-- 90th percentiles, which no sum can give. Built once per event load, with the marts it sums.
select process, activity, business_unit, period, segment, grade, status,
       min(step_order) as step_order,
       any_value(target_hours) as target_hours,
       (count(*) - sum(is_rework::integer))::bigint as n_cases,
       count(*) as n_events,
       (count(*) - count(ended_at))::bigint as n_open,
       count(ended_at) as n_completed,
       sum(is_first_rework::integer)::bigint as n_rework_cases,
       sum(is_over_case::integer)::bigint as n_over_cases,
       sum(excess_hours) as excess_hours,
       sum(lateness_attributed_hours) as lateness_hours,
       min(started_at) as first_started_at,
       max(greatest(started_at, coalesce(ended_at, started_at))) as last_moment,
       max(log_as_of) as log_as_of,
       sum(wait_hours) as wait_sum_hours,
       count(wait_hours) as n_waits,
       count(*) filter (where is_last_event and is_case_complete) as n_to_end,
       count(product_class) as n_product_class
from mart_process_steps
group by process, activity, business_unit, period, segment, grade, status
