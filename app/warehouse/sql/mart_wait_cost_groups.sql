-- grain: survey batch × process × step that serves a touchpoint × client × period: the rows of
-- mart_wait_cost_group_roles summed over the respondent roles (about half as many rows), which the
-- bottleneck page reads when no role filter is set. Kept per survey batch like those rows.
select batch_id, process, activity, touchpoint_id, client_id, period, x, slot,
       business_unit, segment, grade, status,
       sum(n_answers) as n_answers, sum(n_nps) as n_nps, sum(s_nps) as s_nps, sum(q_nps) as q_nps,
       sum(n_rating) as n_rating, sum(s_rating) as s_rating, sum(q_rating) as q_rating
from mart_wait_cost_group_roles
where ${survey_batch_filter}
group by batch_id, process, activity, touchpoint_id, client_id, period, x, slot,
         business_unit, segment, grade, status
