-- grain: one row per survey response, with the client's segment keys as they are now.
-- No personal data: respondent name, e-mail and phone stay in mart_respondent_contacts (analysts only).
select
    r.response_id,
    r.client_id,
    r.respondent_role,
    r.submitted_at,
    quarter_of(r.submitted_at) as period,
    r.nps,
    case when r.nps >= 9 then 'promoter' when r.nps >= 7 then 'passive' else 'detractor' end as nps_class,
    r.nps >= 9 as is_promoter,
    r.nps <= 6 as is_detractor,
    r.ces,
    r.channel,
    r.comment,
    c.name as client_name,
    c.business_unit,
    c.segment,
    c.grade,
    c.status,
    c.region,
    r.batch_id
from raw_surveys r
left join stg_clients c using (client_id)
