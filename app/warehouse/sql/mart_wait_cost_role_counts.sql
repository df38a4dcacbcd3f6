-- grain: process × step × wait slot × period × respondent role × business unit × segment × grade ×
-- status, only in the quarters that answers of more than one survey batch fall in: how many distinct
-- client-quarters of that role the rows of mart_wait_cost_group_roles stand for (as
-- mart_wait_cost_counts, for the page under a filter on one respondent role).
with shared as (
    select period from mart_wait_cost_slot_roles group by period having min(batch_id) < max(batch_id)
)
select process, activity, slot, period, respondent_role, business_unit, segment, grade, status,
       count(*) as n_client_periods
from (
    select distinct process, activity, slot, period, respondent_role, client_id, business_unit, segment, grade,
           status
    from mart_wait_cost_group_roles
    where period in (select period from shared)
)
group by process, activity, slot, period, respondent_role, business_unit, segment, grade, status
