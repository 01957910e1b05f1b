-- The cells of the report's tables: for each table, each of its series and each year from
-- the table's first to its last year (pipeline/tables.py resolves them from params.yaml and
-- the data). A year without a figure gives a row with null values (printed "-"), never a
-- dropped column.
with selected as (
    select * from full_year_figures where selected
),

table_years as (
    select distinct table_id, unnest(range(first_year, last_year + 1)) as reference_year
    from table_layout
),

grid as (
    select layout.table_id, layout.row_order, layout.series, table_years.reference_year
    from table_layout as layout
    join table_years using (table_id)
)

select
    grid.table_id,
    grid.row_order,
    grid.series,
    series.label_da,
    series.unit,
    series.kind,
    series."integer" = 'true' as integer_valued,
    grid.reference_year,
    selected.observed_value,
    selected.value,
    selected.value_unrounded,
    selected.monthly_mean,
    selected.interval_lower,
    selected.interval_upper,
    selected.interval_level,
    selected.interval_method,
    selected.interval_kind,
    selected.dispersion_rule,
    selected.dispersion_years,
    selected.history_left_out,
    selected.history_other_era,
    selected.history_window,
    selected.status,
    selected.method,
    selected.months_covered,
    selected.months_exposure,
    selected.period_end,
    selected.is_partial,
    selected.count_date,
    selected.count_date_precision,
    selected.approximate,
    selected.release_status,
    selected.release_id,
    selected.publisher,
    selected.publication,
    selected.published,
    selected.reported_by,
    selected.reported_on,
    selected.source_kind
from grid
left join selected using (series, reference_year)
left join series_metadata as series using (series)
order by grid.table_id, grid.row_order, grid.reference_year
