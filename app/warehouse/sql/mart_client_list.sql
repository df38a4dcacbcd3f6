-- grain: one row per client (the clients page's list): keys, money, open tickets, and the client's
-- quarters side by side in lists with one element per quarter of mart_client_list_quarters (element
-- `slot`; null where the client had nothing that quarter). For any quarter range of the filters the
-- page reads each figure with one lookup per client (app/warehouse/client_list.py): the newest index
-- in the range, the previous quarter's index, the NPS history, the current quarter's risk counts, the
-- usual number of tickets. Computed from the client × quarter marts on a page request, the same took a
-- grouping of 400,000 rows at a million answers. last_index_slot (the newest slot up to this one with
-- an index), answered_quarters and cum_answers (quarters with answers and answers up to this slot) make
-- "newest in the range" and "answers in the range" a lookup instead of a search; the NPS values and
-- their slots are listed only for quarters with answers, so a range's history is a slice of them
-- (answered_quarters tells where it starts and ends). The definitions are those of
-- app/analytics/satisfaction_index.py and client_risk.py; tests/unit/test_client_list_mart.py checks
-- the page's table against them over all rows.
with quarters as (  -- client × quarter: its index row and the facts the list reads
    select client_id, period,
           bool_or(has_index) as has_index,
           max(index) as index, max(tx_score) as tx_score, max(cx_score) as cx_score,
           max(n_factors) as n_factors, bool_or(is_partial) as is_partial,
           max(n_answers) as n_answers, max(nps) as nps, max(n_detractor_answers) as n_detractor_answers,
           max(n_late_orders) as n_late_orders, max(n_tickets) as n_tickets
    from (
        select client_id, period, true as has_index, index, tx_score, cx_score, n_factors, is_partial,
               null::bigint as n_answers, null::double as nps, null::bigint as n_detractor_answers,
               null::bigint as n_late_orders, null::bigint as n_tickets
        from mart_client_index
        union all
        select client_id, period, false, null, null, null, null, null, n::bigint, nps::double,
               n_detractors::bigint, null, null
        from stg_client_answers where n > 0
        union all
        select client_id, period, false, null, null, null, null, null, null, null, null,
               (case when fact = 'n_late_orders' then value end)::bigint,
               (case when fact = 'n_tickets' then value end)::bigint
        from stg_client_service where fact in ('n_late_orders', 'n_tickets')
    )
    group by client_id, period
), dense as (  -- every client with a quarter × every quarter, with running positions and counts
    select c.client_id, s.slot, q.* exclude (client_id, period, has_index),
           max(case when q.has_index then s.slot end) over running as last_index_slot,
           count(q.n_answers) over running as answered_quarters,
           coalesce(sum(q.n_answers) over running, 0)::bigint as cum_answers
    from (select distinct client_id from quarters) c
    cross join mart_client_list_quarters s
    left join quarters q on q.client_id = c.client_id and q.period = s.period
    window running as (partition by c.client_id order by s.slot rows between unbounded preceding and current row)
), lists as (
    select client_id,
           list(index order by slot) as index_by_slot,
           list(tx_score order by slot) as tx_score_by_slot,
           list(cx_score order by slot) as cx_score_by_slot,
           list(n_factors order by slot) as n_factors_by_slot,
           list(is_partial order by slot) as is_partial_by_slot,
           list(nps order by slot) filter (where n_answers is not null) as nps_values,
           list(slot order by slot) filter (where n_answers is not null) as answer_slots,
           list(n_answers order by slot) as n_answers_by_slot,
           list(n_detractor_answers order by slot) as n_detractor_answers_by_slot,
           list(n_late_orders order by slot) as n_late_orders_by_slot,
           list(n_tickets order by slot) as n_tickets_by_slot,
           list(last_index_slot order by slot) as last_index_slot,
           list(answered_quarters order by slot) as answered_quarters,
           list(cum_answers order by slot) as cum_answers
    from dense
    group by client_id
)
select c.client_id, c.name, c.business_unit, c.segment, c.grade, c.status, c.region,
       c.revenue::double as revenue, c.ltv::double as ltv, c.first_order_at, c.churned_at,
       c.n_orders::bigint as n_orders, coalesce(t.n_open, 0)::bigint as n_open_tickets,
       l.* exclude (client_id)
from mart_clients c
left join (select client_id, count(*) as n_open from mart_tickets where is_open group by client_id) t
    using (client_id)
left join lists l using (client_id)
order by c.client_id
