-- grain: one row per client with follow-up cases: how many, and how many are still open (a withdrawn
-- one is not). The clients list shows both; kept here, rebuilt with every case change, so
-- the list does not group every case (a quarter of a million at a million answers) on each request.
select client_id,
       count(*) filter (where coalesce(lower(status), 'open') not in ('resolved', 'closed', 'withdrawn'))::bigint
           as n_open_cases,
       count(*)::bigint as n_cases
from follow_up_cases
where client_id is not null
group by client_id
