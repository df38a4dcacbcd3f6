-- grain: survey batch × process × step × wait slot × period × respondent role × is_first_role: the sums
-- of mart_wait_cost_answers' rows (the columns of BIN_SUMS in app/warehouse/wait_cost_sql.py;
-- n_client_periods counts the rows). The client keys are left out, so this is about a tenth of the
-- rows: the bottleneck page sums it when no client-key filter is set, and the rows otherwise.
-- Kept per survey batch like the rows it sums (PER_SURVEY_BATCH in models.py).
select batch_id, process, activity, touchpoint_id, slot, period, respondent_role, is_first_role,
       ${wait_cube_sums}
from mart_wait_cost_answers
where ${survey_batch_filter}
group by batch_id, process, activity, touchpoint_id, slot, period, respondent_role, is_first_role
