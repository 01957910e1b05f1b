-- Test: the groups of release rows (sql/int_release_groups_typed.sql) break none of the rules
-- of pipeline/schemas/ that read the varying fields (`value`, `month`) or several rows.
-- Returns the groups that break one, each with the rule's name (`rule`); none: every row
-- passes these rules. The rules on values are data (pipeline/schemas/ VALUE_RULES, the source
-- `release_value_rules`); the others are named here. Each rule is stated as the schema states it, on the groups' bits instead
-- of on rows (see sql/int_release_rows_grouped.sql for the bits; the patterns are ASCII, so
-- DuckDB's and polars' regexes agree); every other rule is decided by its own polars
-- expression on the groups' distinct fields (pipeline/release_scan.py).
with groups as (
    select
        *,
        month_mask & 16383  as month_set,    -- bits 0-13: the distinct months
        month_mask & 16382  as months_given  -- bits 1-13: some row has a month
    from int_release_groups_typed
),

regions as (  -- one part of a national figure: a release, series, year and region (and a
              -- stock's count date: two counts of one year are two observations)
    select
        release_id, series, reference_year, region, count_date,
        sum(rows_grouped)   as n_rows,
        bit_or(month_set)   as month_set,
        max(month_max)      as month_max
    from groups
    group by all
),

figures as (  -- a national figure of a release
    select
        release_id, series, reference_year,
        count(distinct bit_count(month_set))  as month_counts,
        bit_or(month_set & 16382) > 0         as monthly,
        bool_or(region is null)               as has_national_rows,
        bool_or(region is not null)           as has_regional_rows
    from regions
    group by all
),

same_figure as (  -- the key of the rule across release files, but for the month
    select
        series, reference_year,
        sum(rows_grouped)   as n_rows,
        bit_or(month_set)   as month_set
    from groups
    group by series, reference_year, region, months_covered, period_end, count_date,
             lower(regexp_replace(trim(publisher), '\s+', ' ', 'g')), published, status,
             reported_by, reported_on
),

failing_groups as (
    select 'not_nullable:value_text' as rule, release_id, series, reference_year from groups
    where value_flags & 1 > 0
    union all
    select 'number_format', release_id, series, reference_year from groups
    where value_flags & 2 > 0
    union all
    select 'month_format', release_id, series, reference_year from groups
    where month_mask & (1 << 14) > 0
    union all
    select 'month_in_range', release_id, series, reference_year from groups
    where month_mask & (1 << 13) > 0
    union all
    select 'stock_has_no_month', release_id, series, reference_year from groups
    where kind = 'stock' and months_given > 0
    union all
    select 'month_or_months_covered', release_id, series, reference_year from groups
    where months_covered_text is not null and months_given > 0
    union all
    select 'flow_has_months', release_id, series, reference_year from groups
    where kind = 'flow' and months_covered_text is null and month_mask & (1 << 15) > 0
),

failing_values as (
    -- a value below a rule's least or above its most, or fractional where it must be whole
    select r.name as rule, g.release_id, g.series, g.reference_year
    from groups as g
    join release_value_rules as r
      on g.value_min < r.minimum
      or g.value_max > r.maximum
      or (r.whole_in_integer_series and g.series_integer and g.value_fractional)
),

failing_regions as (
    -- as many distinct months as the last month: January to it without gaps
    select 'months_from_january' as rule, release_id, series, reference_year from regions
    where month_max is not null and month_max <> bit_count(month_set)
    union all
    select 'monthly_or_not', release_id, series, reference_year from regions
    where month_set & 1 > 0 and month_set & 16382 > 0
    union all
    -- as many rows as distinct months (bit 0 standing for no month): no row repeats another
    select 'unique_in_release', release_id, series, reference_year from regions
    where n_rows > bit_count(month_set) and series is not null and reference_year is not null
),

failing_figures as (
    select 'same_months_in_every_region' as rule, release_id, series, reference_year from figures
    where monthly and month_counts > 1
    union all
    select 'regional_or_not', release_id, series, reference_year from figures
    where has_national_rows and has_regional_rows
),

failing_across_releases as (
    select 'duplicate_release' as rule, null as release_id, series, reference_year from same_figure
    where n_rows > bit_count(month_set) and series is not null and reference_year is not null
)

select * from failing_groups
union all select * from failing_values
union all select * from failing_regions
union all select * from failing_figures
union all select * from failing_across_releases
