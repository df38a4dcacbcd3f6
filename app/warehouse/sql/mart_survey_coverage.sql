-- grain: survey batch × client (one row for the batch's answers without a client): how many answers
-- and over which quarters — the freshness line every page shows sums it (answers, distinct clients,
-- first and last quarter). Counting distinct clients over every answer on a page request took about
-- half a second at a million; this is tens of thousands of rows. Per batch, so that it can be kept
-- like the cube (PER_SURVEY_BATCH in models.py): a load would add only its batch's rows.
select
    batch_id,
    client_id,
    count(*)::bigint as n_responses,
    min(quarter_of(submitted_at)) as period_first,
    max(quarter_of(submitted_at)) as period_last
from raw_surveys
where ${survey_batch_filter}
group by batch_id, client_id
