-- One national figure per release, series and year: monthly and regional rows summed. A
-- monthly figure covers the months it has (validation made sure they run from January
-- without gaps and are the same in every region). Rows without month or region pass
-- through as they are. Text fields are the same on every row of a figure in practice; min()
-- picks one deterministically, and the first source line stands for the rows summed.
select
    release_id,
    series,
    reference_year,
    sum(value)                                         as value,
    coalesce(max(month), max(months_covered))          as months_covered,
    max(period_end)                                    as period_end,
    max(count_date)                                    as count_date,
    min(kind)                                          as kind,
    min(unit)                                          as unit,
    min(status)                                        as status,
    min(publisher)                                     as publisher,
    min(publication)                                   as publication,
    min(published)                                     as published,
    min(reported_by)                                   as reported_by,
    min(url)                                           as url,
    min(note)                                          as note,
    min(country)                                       as country,
    min(concept)                                       as concept,
    bool_and(series_integer)                           as series_integer,
    min(source_file)                                   as source_file,
    min(source_line)                                   as source_line,
    count(*)                                           as rows_aggregated,
    count(distinct region)                             as regions
from validated_rows
group by release_id, series, reference_year
