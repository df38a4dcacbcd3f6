-- grain: process × step × business unit × period × segment × grade × status: the counts and sums of
-- mart_process_steps that the Bottlenecks page's step tables show, per combination of the global
-- filters' columns. The step sums are process_report_queries.STEP_SUMS, the text the events path groups
-- with, so both paths count alike; CUBE_SUMS there recombines these rows. The page sums a few
-- thousand of them under the filters and goes to the 900,000 events of a million answers only for the
-- medians and 90th percentiles, which no sum can give. Built once per event load, with the marts.
select process, activity, business_unit, period, segment, grade, status,
       ${step_sums},
       min(started_at) as first_started_at,
       max(greatest(started_at, coalesce(ended_at, started_at))) as last_moment,
       max(log_as_of) as log_as_of,
       sum(wait_hours) as wait_sum_hours,
       count(wait_hours) as n_waits,
       count(*) filter (where is_last_event and is_case_complete) as n_to_end,
       min(previous_activity) as previous_first,
       max(previous_activity) as previous_last,
       count(previous_activity) as n_previous,
       count(*) filter (where is_first_transition) as n_first_transitions,
       count(product_class) as n_product_class
from mart_process_steps
group by process, activity, business_unit, period, segment, grade, status
