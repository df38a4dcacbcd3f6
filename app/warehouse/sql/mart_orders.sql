-- grain: one row per order, with delivery facts (on time, delay in days) and the client's keys
select
    o.order_id,
    o.client_id,
    quarter_of(o.ordered_at) as period,
    o.ordered_at,
    o.promised_at,
    o.shipped_at,
    o.delivered_at,
    o.amount,
    o.product_class,
    o.delivered_at is not null as is_delivered,
    o.delivered_at is not null and o.delivered_at::date <= o.promised_at::date as is_on_time,
    case when o.delivered_at is not null
         then greatest(0, date_diff('day', o.promised_at::date, o.delivered_at::date)) end as delay_days,
    c.business_unit,
    c.segment,
    c.grade,
    c.status,
    o.batch_id
from raw_orders o
left join stg_clients c using (client_id)
