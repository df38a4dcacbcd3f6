-- grain: one row for the whole survey table: how many answers, from how many clients, over which
-- quarters — the freshness line every page shows. Counting distinct clients over the answers on a
-- page request scanned every response (about half a second at a million); this is read in a blink.
select
    count(*)::bigint as n_responses,
    count(distinct client_id)::bigint as n_clients,
    min(quarter_of(submitted_at)) as period_first,
    max(quarter_of(submitted_at)) as period_last
from raw_surveys
