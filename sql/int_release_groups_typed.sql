-- The groups of release rows (sql/int_release_rows_grouped.sql) typed as rows are
-- (typed_release_records, sql/macros.sql) and with what their series says, as
-- sql/int_release_figures_joined_to_series.sql gives rows. A group stands for its rows as a
-- part of a national figure: `value_exact` is their exact sum and `month` their last month.
with typed as (
    select * from typed_release_records(int_release_rows_grouped, $number_pattern, $year_pattern, $months_pattern)
)

select
    typed.* replace (value_sum as value_exact, month_max as month),
    s.country,
    s.concept,
    s.kind                as series_kind,
    s.unit                as series_unit,
    s."integer" = 'true'  as series_integer
from typed
left join stg_raw__series as s using (series)
