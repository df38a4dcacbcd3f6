-- grain: one row per quarter in which some client has a satisfaction index, answers, deliveries or
-- tickets: `slot` is that quarter's position in every list of mart_client_list (1 = the oldest). The
-- clients page turns the quarter range of the filters into slots with it.
select period, (row_number() over (order by period))::integer as slot
from (
    select period from mart_client_index
    union
    select period from stg_client_answers where n > 0
    union
    select period from stg_client_service where fact in ('n_late_orders', 'n_tickets')
)
where period is not null
