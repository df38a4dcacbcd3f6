-- grain: one row per ticket, with response and resolution times and the client's keys
select
    t.ticket_id,
    t.client_id,
    quarter_of(t.opened_at) as period,
    t.opened_at,
    t.first_response_at,
    t.closed_at,
    t.closed_at is null as is_open,
    date_diff('second', t.opened_at, t.first_response_at) / 3600.0 as first_response_hours,
    date_diff('second', t.opened_at, t.closed_at) / 3600.0 as resolution_hours,
    t.channel,
    t.touchpoint as touchpoint_id,
    d.stage_id,
    t.category,
    t.severity,
    t.text,
    c.business_unit,
    c.segment,
    c.grade,
    c.status,
    t.batch_id
from raw_tickets t
left join stg_clients c using (client_id)
left join dim_touchpoints d on d.touchpoint_id = t.touchpoint
