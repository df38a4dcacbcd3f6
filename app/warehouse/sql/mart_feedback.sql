-- grain: one row per feedback text: a survey comment (doc_id = response_id) or a ticket
-- (doc_id = ticket_id), with where in the journey it points (a comment: the touchpoint its
-- respondent rated lowest; a ticket: its own touchpoint), the client's keys as they are now and,
-- for comments, the score. Complaint topics are learned from and counted over these rows.
-- Kept per survey batch (PER_SURVEY_BATCH in models.py): a survey load adds only its batch's comments
-- (the ticket part is switched off then, so tickets are not added twice).
select
    'survey' as source,
    r.response_id as doc_id,
    r.response_id,
    null::varchar as ticket_id,
    r.client_id,
    r.client_name,
    r.submitted_at as created_at,
    r.period,
    r.business_unit,
    r.segment,
    r.grade,
    r.status,
    r.respondent_role,
    r.nps,
    r.nps_class,
    f.touchpoint_id,
    t.stage_id,
    t.block,
    r.comment as text,
    coalesce(r.nps <= 8, true) as is_complaint,
    r.batch_id
from (select * from mart_responses where ${survey_batch_filter}) r
left join (
${commented_focus}
) f using (response_id)
left join dim_touchpoints t on t.touchpoint_id = f.touchpoint_id
where nullif(trim(r.comment), '') is not null
union all
select
    'ticket' as source,
    k.ticket_id as doc_id,
    null::varchar as response_id,
    k.ticket_id,
    k.client_id,
    c.name as client_name,
    k.opened_at as created_at,
    k.period,
    k.business_unit,
    k.segment,
    k.grade,
    k.status,
    null::varchar as respondent_role,
    null::integer as nps,
    null::varchar as nps_class,
    k.touchpoint_id,
    t.stage_id,
    t.block,
    k.text,
    true as is_complaint,
    k.batch_id
from mart_tickets k
left join stg_clients c using (client_id)
left join dim_touchpoints t on t.touchpoint_id = k.touchpoint_id
where nullif(trim(k.text), '') is not null and ${other_sources}
