-- grain: survey batch × period × segment keys × touchpoint: additive sums over the
-- answers that rated the touchpoint, for the two journey figures that pair a rating with another
-- answer of the same response — the rating–NPS correlation (n_pairs and the five sums of
-- rating × NPS over answers with both; integers, so exact) and the effort of the touchpoint's
-- raters (CES count, sum, sum of squares; CES may be fractional). Pages re-aggregate it under any filter instead of joining the long form
-- (mart_ratings × mart_responses, ten million rows at a million responses) on a page request.
-- One scan of the wide responses: COLUMNS('^rating_(i)') expands every sum once per touchpoint
-- (rating_i is the i-th touchpoint of the model, dim_touchpoints.touchpoint_order = i), and the
-- lists unnest into one row per touchpoint. Kept per survey batch (PER_SURVEY_BATCH in models.py).
with ratings as (
    select r.batch_id, quarter_of(r.submitted_at) as period,
           c.business_unit, c.segment, c.grade, c.status, r.respondent_role,
           r.nps, r.ces,
           ${focus_scores}
    from (select * from raw_surveys where ${survey_batch_filter}) r
    left join stg_clients c using (client_id)
), wide as (
    select batch_id, period, business_unit, segment, grade, status, respondent_role,
           count(columns('^rating_([0-9]+)')) as 'n_\1',
           count(columns('^rating_([0-9]+)') * nps) as 'np_\1',
           sum(case when nps is not null then columns('^rating_([0-9]+)') end) as 'sx_\1',
           sum(case when columns('^rating_([0-9]+)') is not null then nps end) as 'sy_\1',
           sum(columns('^rating_([0-9]+)') * nps) as 'sxy_\1',
           sum(case when nps is not null
                    then columns('^rating_([0-9]+)') * columns('^rating_([0-9]+)') end) as 'sxx_\1',
           sum(case when columns('^rating_([0-9]+)') is not null then nps * nps end) as 'syy_\1',
           count(case when columns('^rating_([0-9]+)') is not null then ces end) as 'nc_\1',
           sum(case when columns('^rating_([0-9]+)') is not null then ces end) as 'sc_\1',
           sum(case when columns('^rating_([0-9]+)') is not null then ces * ces end) as 'scc_\1'
    from ratings
    group by all
), long as (
    select batch_id, period, business_unit, segment, grade, status, respondent_role,
           unnest(range(${n_touchpoints})) as touchpoint_order,
           unnest(list_value(*columns('^n_'))) as n,
           unnest(list_value(*columns('^np_'))) as n_pairs,
           unnest(list_value(*columns('^sx_'))) as sum_rating,
           unnest(list_value(*columns('^sy_'))) as sum_nps,
           unnest(list_value(*columns('^sxy_'))) as sum_rating_nps,
           unnest(list_value(*columns('^sxx_'))) as sum_rating_sq,
           unnest(list_value(*columns('^syy_'))) as sum_nps_sq,
           unnest(list_value(*columns('^nc_'))) as n_ces,
           unnest(list_value(*columns('^sc_'))) as sum_ces,
           unnest(list_value(*columns('^scc_'))) as sum_ces_sq
    from wide
)
select l.period, l.business_unit, l.segment, l.grade, l.status, l.respondent_role, t.stage_id, t.touchpoint_id,
       l.n::bigint as n, l.n_pairs::bigint as n_pairs,
       coalesce(l.sum_rating, 0)::bigint as sum_rating, coalesce(l.sum_nps, 0)::bigint as sum_nps,
       coalesce(l.sum_rating_nps, 0)::bigint as sum_rating_nps,
       coalesce(l.sum_rating_sq, 0)::bigint as sum_rating_sq, coalesce(l.sum_nps_sq, 0)::bigint as sum_nps_sq,
       l.n_ces::bigint as n_ces, coalesce(l.sum_ces, 0)::double as sum_ces,
       coalesce(l.sum_ces_sq, 0)::double as sum_ces_sq, l.batch_id
from long l
join dim_touchpoints t using (touchpoint_order)
where l.n > 0
