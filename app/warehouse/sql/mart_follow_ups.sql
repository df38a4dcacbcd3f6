-- grain: one row per follow-up case (detractor answer), with the client's keys as they are now
-- (status = the client's status, as in every mart; case_status = the case's; client_name = the
-- client list's name, the case's own where the client is gone). The case's columns and flags are
-- defined in stg_follow_up_cases. The keys come from mart_clients, a table, not the stg_clients view
-- that ranks every client row on each read.
select
    c.case_id,
    c.response_id,
    c.client_id,
    coalesce(k.name, c.client_name) as client_name,
    k.business_unit,
    k.segment,
    c.grade,
    k.status,
    c.* exclude (case_id, response_id, client_id, client_name, grade)
from stg_follow_up_cases c
left join mart_clients k using (client_id)
