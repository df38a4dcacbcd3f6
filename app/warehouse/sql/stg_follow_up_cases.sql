-- grain: one row per follow-up case (detractor answer): what is derived from the case itself, without
-- the client's keys. mart_follow_ups adds those; the page's counts and the choice of the shown cases
-- read this view when no filter needs the keys, because joining every case to the client list was
-- most of their time (2.5 million cases and 500,000 clients at ten million answers).
-- follow_up_cases is not a model: its rows (statuses, notes) survive every load and rebuild.
-- Overdue = still open after its due date; late = missed the due date (closed after it, or overdue).
-- Withdrawn cases (their answer was rolled back before anyone worked on them) stay for the record
-- and are left out of the KPIs. The answer's respondent role is kept on the case when it is opened
-- (pipelines/follow_ups.py), so no query joins the cases to the answers; it shows only while the
-- answer is in the warehouse (not for withdrawn cases or rolled-back answers), as that join did.
select
    c.case_id,
    c.response_id,
    c.client_id,
    c.client_name,
    c.grade,
    case when c.status <> 'withdrawn' and c.answer_removed_at is null then c.respondent_role end
        as respondent_role,
    quarter_of(c.received_at) as period,
    c.received_at,
    c.nps,
    c.comment,
    c.touchpoint_id,
    t.stage_id,
    t.block,
    c.owner_department,
    c.assignee,
    c.status as case_status,
    c.due_date,
    c.opened_at,
    c.updated_at,
    c.closed_at,
    c.last_note,
    c.batch_id,
    c.answer_removed_at,
    c.status in ('resolved', 'closed') as is_closed,
    c.status = 'withdrawn' as is_withdrawn,
    c.status in ('open', 'in_progress') as is_open,
    date_diff('second', c.received_at, c.closed_at) / 86400.0 as days_to_close,
    c.status in ('open', 'in_progress') and c.due_date < current_date as is_overdue,
    case
        when c.due_date is null then false
        when c.status in ('resolved', 'closed') then c.closed_at::date > c.due_date
        when c.status in ('open', 'in_progress') then c.due_date < current_date
        else false
    end as is_late,
    c.status in ('resolved', 'closed') or c.due_date < current_date as is_due
from follow_up_cases c
left join dim_touchpoints t on t.touchpoint_id = c.touchpoint_id
