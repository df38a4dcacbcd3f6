-- grain: client × period (quarter) × fact (× touchpoint for touchpoint_rating): what happened to one
-- client in one quarter, from accounting (orders), service (tickets) and surveys. The satisfaction
-- index (app/analytics/satisfaction_index.py) and the clients page's at-risk flags read this mart.
-- facts: on_time_share, avg_delay_days, n_late_orders, first_response_hours, n_tickets (see
-- stg_client_service), nps (−100..100 of the client's answers), n_detractor_answers,
-- touchpoint_rating (mean raw rating per touchpoint). A view: the survey facts are unpivoted from the
-- wide stg_client_answers on read (filters on the client keys reach both tables).
select client_id, period, business_unit, segment, grade, status, fact, touchpoint_id, value, n
from stg_client_service
union all
select client_id, period, business_unit, segment, grade, status, 'nps', null, nps::double, n::integer
from stg_client_answers where n > 0
union all
select client_id, period, business_unit, segment, grade, status, 'n_detractor_answers', null,
       n_detractors::double, n::integer
from stg_client_answers where n > 0
union all
${client_rating_unpivot}
