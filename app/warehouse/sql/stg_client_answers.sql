-- grain: client × period (quarter): the client's survey answers side by side in one scan of the wide
-- responses — NPS counts and every touchpoint's mean rating (${n_touchpoints} touchpoints) — with the
-- client's keys as they are now. Wide and small (one row per client and quarter); mart_client_facts
-- unpivots it on read, so a survey load writes this instead of millions of long fact rows.
with answers as (
    select client_id, quarter_of(submitted_at) as period,
           count(nps) as n,
           100.0 * (count_if(nps >= 9) - count_if(nps <= 6)) / nullif(count(nps), 0) as nps,
           count_if(nps <= 6) as n_detractors,
           ${client_rating_aggregates}
    from raw_surveys
    where client_id is not null
    group by all
)
select a.*, c.business_unit, c.segment, c.grade, c.status
from answers a
join stg_clients c using (client_id)
