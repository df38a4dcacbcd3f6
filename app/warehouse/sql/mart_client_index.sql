-- grain: client × quarter: the satisfaction index, its TX and CX blocks, whether it is partial.
-- Materialised so the clients list and the overview read it instead of computing 50,000 clients'
-- scores on a page request. The definition is app/analytics/satisfaction_index.py (the client card
-- uses it directly); tests/unit/test_client_risk.py checks that this mart gives the same numbers.
with factors (factor_id, block, metric, fact, touchpoint_id, worst, scale_min, scale_max) as (
    values
        ${index_factor_rows}
), block_weights (block, weight) as (
    values ${index_block_rows}
), weights as (
        ${index_weight_union}
), scored as (
    select f.client_id, f.period, x.factor_id, x.block, w.importance,
           greatest(0.0, least(100.0, case x.metric
               when 'on_time_share' then 100.0 * f.value
               when 'touchpoint_rating' then 100.0 * (f.value - x.scale_min) / (x.scale_max - x.scale_min)
               when 'nps' then (f.value + 100.0) / 2.0
               else 100.0 * (1.0 - least(greatest(f.value, 0.0), x.worst) / x.worst)
           end)) as score
    from mart_client_facts f
    join factors x on x.fact = f.fact and x.touchpoint_id is not distinct from f.touchpoint_id
    join weights w on w.client_id = f.client_id and w.factor_id = x.factor_id
    where f.value is not null
), blocks as (
    select client_id, period, block,
           sum(score * importance) / sum(importance) as score,
           count(*) as n
    from scored
    group by client_id, period, block
), combined as (
    select b.client_id, b.period,
           max(b.score) filter (where b.block = 'TX') as tx_score,
           max(b.score) filter (where b.block = 'CX') as cx_score,
           sum(b.score * w.weight) filter (where w.weight > 0)
               / nullif(sum(w.weight) filter (where w.weight > 0), 0) as index,
           sum(b.n)::bigint as n_factors,
           count(*) filter (where w.weight > 0)
               < (select count(*) from block_weights where weight > 0) as is_partial
    from blocks b
    join block_weights w using (block)
    group by b.client_id, b.period
)
select s.client_id, s.period, c.business_unit, c.segment, c.grade, c.status,
       s.tx_score, s.cx_score, s.index, s.n_factors, s.is_partial
from combined s
join stg_clients c using (client_id)
