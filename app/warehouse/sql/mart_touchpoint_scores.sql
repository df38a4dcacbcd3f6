-- grain: period × segment keys × touchpoint; additive sums and counts so any filter can re-aggregate.
-- Unpivoted from stg_survey_cube, which aggregated every touchpoint in one scan of the responses.
${touchpoint_unpivot}
