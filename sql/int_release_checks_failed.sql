-- For the grouped release rows (sql/int_release_rows_grouped.sql, typed by
-- sql/stg_raw__release_figures.sql): how many groups break each rule of
-- pipeline/schemas.py that reads the varying fields (`value`, `month`) or several rows.
-- Each column is named after its rule and states it as the schema does, on the groups'
-- bits instead of on rows (the patterns are ASCII, so DuckDB's and polars' regexes agree) (see sql/int_release_rows_grouped.sql for the bits); every other
-- rule is decided by its own polars expression on the groups' distinct fields
-- (pipeline/release_scan.py). All zero: every row passes these rules.
with groups as (
    select
        *,
        month_mask & 16383  as month_set,    -- bits 0-13: the distinct months
        month_mask & 16382  as months_given  -- bits 1-13: some row has a month
    from typed_groups
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
             lower(regexp_replace(trim(publisher), '\s+', ' ', 'g')), published, status
)

select *
from
    (select
        count_if(value_flags & 1 > 0)                                            as "not_nullable:value_text",
        count_if(value_flags & 2 > 0)                                            as number_format,
        count_if(value_flags & 4 > 0)                                            as non_negative,
        count_if(series_integer and value_flags & 8 > 0)                         as whole_number,
        count_if(month_mask & (1 << 14) > 0)                                     as month_format,
        count_if(month_mask & (1 << 13) > 0)                                     as month_in_range,
        count_if(kind = 'stock' and months_given > 0)                            as stock_has_no_month,
        count_if(months_covered_text is not null and months_given > 0)           as month_or_months_covered,
        count_if(kind = 'flow' and months_covered_text is null and month_mask & (1 << 15) > 0) as flow_has_months
     from groups),
    (select
        -- as many distinct months as the last month: January to it without gaps
        count_if(month_max is not null and month_max <> bit_count(month_set))    as months_from_january,
        count_if(month_set & 1 > 0 and month_set & 16382 > 0)                    as monthly_or_not,
        -- as many rows as distinct months (bit 0 standing for no month): no row repeats another
        count_if(n_rows > bit_count(month_set) and series is not null and reference_year is not null) as unique_in_release
     from regions),
    (select
        count_if(monthly and month_counts > 1)                                   as same_months_in_every_region,
        count_if(has_national_rows and has_regional_rows)                        as regional_or_not
     from figures),
    (select
        count_if(n_rows > bit_count(month_set) and series is not null and reference_year is not null) as duplicate_release
     from same_figure)
