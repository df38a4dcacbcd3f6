-- grain: survey batch × process × step × wait slot × period × business unit: the sums of the rows of
-- mart_wait_cost_groups (the columns of BIN_SUMS in app/warehouse/wait_cost_sql.py; n_client_periods
-- counts the client-quarters). Some 70,000 rows at a million answers: what the bottleneck page sums
-- when no role filter and no client-key filter but the business unit is set. Kept per survey batch
-- like the rows it sums.
select batch_id, process, activity, touchpoint_id, slot, period, business_unit,
       ${wait_cube_sums}
from mart_wait_cost_groups
where ${survey_batch_filter}
group by batch_id, process, activity, touchpoint_id, slot, period, business_unit
