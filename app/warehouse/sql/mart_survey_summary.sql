-- grain: one row: the survey answers in the warehouse — how many, from how many clients, over which
-- quarters. The freshness line every page shows reads this row. It is summed from mart_survey_coverage
-- (survey batch × client) once per survey load or rollback instead of on every page request: distinct
-- clients are not additive over batches, and counting them over ten batches × 500,000 clients took
-- about 200 ms a page at ten million answers.
select
    coalesce(sum(n_responses), 0)::bigint as n_responses,
    count(distinct client_id)::bigint as n_clients,
    min(period_first) as period_first,
    max(period_last) as period_last
from mart_survey_coverage
