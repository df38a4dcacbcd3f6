-- grain: one row per survey response, wide: its client, submission time and quarter, respondent
-- role, NPS code (+100 promoter, 0 passive, −100 detractor; null without an NPS answer) and every
-- touchpoint's raw rating as rating_<touchpoint id>.
-- A view for sums per client × quarter over a few touchpoints (the bottleneck page's wait cost): one
-- scan of the wide answers, where the long mart_ratings joins every rating back to its answer
-- (~10× slower at a million answers). No client keys: a reader filtering on them joins mart_clients,
-- and one that does not is spared the join.
select
    r.response_id,
    r.client_id,
    r.submitted_at,
    quarter_of(r.submitted_at) as period,
    r.respondent_role,
    100 * ((r.nps >= 9)::integer - (r.nps <= 6)::integer) as nps_code,
    ${answer_rating_columns}
from raw_surveys r
