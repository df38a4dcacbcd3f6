-- grain: survey batch × process × step × wait slot × period × respondent role: the sums of the rows of
-- mart_wait_cost_group_roles (the columns of BIN_SUMS in app/warehouse/wait_cost_sql.py;
-- n_client_periods counts the rows). Without the client keys: the bottleneck page sums it under a
-- role filter when no client-key filter is set. Kept per survey batch like the rows it sums.
select batch_id, process, activity, touchpoint_id, slot, period, respondent_role,
       ${wait_cube_sums}
from mart_wait_cost_group_roles
where ${survey_batch_filter}
group by batch_id, process, activity, touchpoint_id, slot, period, respondent_role
