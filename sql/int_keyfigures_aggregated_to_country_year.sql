-- One national figure per release, series and year: monthly and regional parts summed. The
-- parts (the source `validated_release_parts`, registered once they have passed validation)
-- are either single rows of sql/int_release_figures_joined_to_series.sql (`rows_grouped` 1) or
-- groups of rows of sql/int_release_groups_typed.sql, whose `value_exact` is already their sum
-- and `month` their last month. Values are summed as decimals (`value_exact`), exactly, so the figure is the same
-- for any order of the rows; it becomes a double once, at the end. A monthly figure covers the months it has (validation made sure they run from
-- January without gaps and are the same in every region). Text fields are the same on every
-- row of a figure in practice; min() picks one deterministically. A figure given on one row
-- keeps that row's line; a sum of several rows has none (`rows_aggregated` says how many,
-- all in `source_file` under this series and year).
select
    release_id,
    series,
    reference_year,
    cast(sum(value_exact) as double)                   as value,
    coalesce(max(month), max(months_covered))          as months_covered,
    max(period_end)                                    as period_end,
    count_date,
    min(count_date_precision)                          as count_date_precision,
    min(kind)                                          as kind,
    min(unit)                                          as unit,
    min(status)                                        as status,
    min(publisher)                                     as publisher,
    min(publication)                                   as publication,
    min(published)                                     as published,
    min(published_start)                               as published_start,
    max(published_end)                                 as published_end,
    min(reported_by)                                   as reported_by,
    min(url)                                           as url,
    min(note)                                          as note,
    min(exceptional)                                   as exceptional,
    min(reported_on)                                   as reported_on,
    min(reported_on_start)                             as reported_on_start,
    max(reported_on_end)                               as reported_on_end,
    min(source_kind)                                   as source_kind,
    min(supersedes)                                    as supersedes,
    bool_or(approximate)                               as approximate,
    min(country)                                       as country,
    min(concept)                                       as concept,
    bool_and(series_integer)                           as series_integer,
    min(source_file)                                   as source_file,
    case when sum(rows_grouped) = 1 then min(source_line) end as source_line,
    sum(rows_grouped)                                  as rows_aggregated,
    count(distinct region)                             as regions
from validated_release_parts
-- a stock's counts on two dates in one release are two observations, never one sum
group by release_id, series, reference_year, count_date
