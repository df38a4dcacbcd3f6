-- grain: one row per client_id, the version from the newest loaded batch
select * exclude (rn)
from (
    select c.*, row_number() over (partition by client_id order by batch_id desc, source_row desc) as rn
    from raw_clients c
)
where rn = 1
