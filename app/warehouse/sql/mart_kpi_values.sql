-- grain: KPI × period × business unit (NULL = company) × segment (NULL = all segments)
with actuals as (
    select * exclude (rn) from (
        select kpi_id, period, business_unit, segment, value,
               row_number() over (partition by kpi_id, period, business_unit, segment
                                  order by batch_id desc, source_row desc) as rn
        from raw_kpi_actuals
    ) where rn = 1
)
select kpi_id, period, business_unit, segment, value, 'actuals' as value_source
from actuals
where kpi_id in (select kpi_id from dim_kpis where compute_kind = 'actuals')
${computed_union}
