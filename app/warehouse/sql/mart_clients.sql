-- grain: one row per client (the current client list)
select
    c.*,
    c.churned_at is not null as is_churned,
    (select count(*) from raw_orders o where o.client_id = c.client_id) as n_orders
from stg_clients c
