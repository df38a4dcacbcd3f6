-- grain: period × segment keys × touchpoint (as mart_touchpoint_scores): additive sums over the
-- answers that rated the touchpoint, for the two journey figures that pair a rating with another
-- answer of the same response — the rating–NPS correlation (n_pairs and the five sums of
-- rating × NPS over answers with both; integers, so exact) and the effort of the touchpoint's
-- raters (CES count, sum, sum of squares; CES may be fractional). Pages re-aggregate it under any
-- filter instead of joining the long form (mart_ratings × mart_responses, ten million rows at a
-- million responses) on a page request. Unpivoted from stg_survey_cube, whose one scan of the wide
-- responses per batch also takes these sums (PAIR_SUMS in models.py).
${pairs_unpivot}
