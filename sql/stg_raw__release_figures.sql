-- One row per figure of every raw release: fields trimmed and typed, the typed text kept
-- beside each parsed field so validation can quote what was written. A field that does not
-- match its documented format becomes null here and is reported by validation; numbers are
-- read as Danish ("1.520" is 1520), never as decimals; the patterns come from
-- pipeline/schemas.py, the one place that defines the raw formats.
with trimmed as (
    select
        -- any further columns (release_id, source_file, source_line, and the counts of
        -- sql/int_release_rows_grouped.sql when it is grouped rows that are typed) pass through
        * exclude (series, reference_year, value, months_covered, period_end, count_date, kind, unit,
                   status, publisher, publication, published, reported_by, url, note, month, region,
                   exceptional),
        nullif(trim(series), '')         as series,
        nullif(trim(reference_year), '') as reference_year_text,
        nullif(trim(value), '')          as value_text,
        nullif(trim(months_covered), '') as months_covered_text,
        nullif(trim(period_end), '')     as period_end_text,
        nullif(trim(count_date), '')     as count_date_text,
        nullif(trim(kind), '')           as kind,
        nullif(trim(unit), '')           as unit,
        nullif(trim(status), '')         as status,
        nullif(trim(publisher), '')      as publisher,
        nullif(trim(publication), '')    as publication,
        nullif(trim(published), '')      as published,
        nullif(trim(reported_by), '')    as reported_by,
        nullif(trim(url), '')            as url,
        nullif(trim(note), '')           as note,
        nullif(trim(month), '')          as month_text,
        nullif(trim(region), '')         as region,
        nullif(trim(exceptional), '')    as exceptional
    from raw_releases
),

typed as (
    select
        *,
        whole_number(reference_year_text, $year_pattern)                            as reference_year,
        danish_number(value_text, $number_pattern)                                 as value,
        -- the same value as a decimal, which sums exactly (sql/int_keyfigures_aggregated_to_country_year.sql)
        danish_decimal(value_text, $number_pattern)                                as value_exact,
        whole_number(months_covered_text, $months_pattern)                          as months_covered,
        whole_number(month_text, $months_pattern)                                    as month,
        real_date(period_end_text)                                           as period_end,
        real_date(count_date_text)                                           as count_date,
        -- when the release appeared, as the span of days its date allows
        -- the publisher as the duplicate rule compares it: case and runs of spaces aside
        lower(regexp_replace(publisher, '\s+', ' ', 'g'))                          as publisher_key,
        date_span_start(published)                                                  as published_start,
        date_span_end(published)                                                    as published_end
    from trimmed
),

with_series as (
    select
        typed.*,
        s.country,
        s.concept,
        s.kind                as series_kind,
        s.unit                as series_unit,
        s."integer" = 'true'  as series_integer
    from typed
    left join stg_series as s using (series)
)

-- no order by: rows are summed to national figures next, which are sorted; sorting millions
-- of wide rows here would cost more than the whole typing
select * from with_series
