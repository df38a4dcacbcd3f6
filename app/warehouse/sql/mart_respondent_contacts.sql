-- grain: one row per survey response that left any contact detail.
-- The respondent's name, e-mail and phone as stored (masked, hashed, dropped or kept per
-- settings.personal_data in the service model). The ONLY model that carries them: dashboards read
-- mart_responses, which has none; code that reads this view is for analysts and checks the role
-- first (app/warehouse/contacts.py, require_role("analyst")).
select
    response_id,
    client_id,
    respondent_name,
    email,
    phone,
    batch_id
from raw_surveys
where respondent_name is not null or email is not null or phone is not null
