-- Shared by the staging models: a field typed from its text only when the text matches the
-- raw format's pattern (pipeline/schemas/); otherwise null, and validation reports it.
-- Numbers are Danish: "1.520" is 1520 and "388,5" is 388.5. Plain digits, by far the most
-- common text, take a cheaper road to the same number (up to 15 digits a double holds
-- every integer exactly; the pattern accepts all of them).
create or replace macro danish_number(t, pattern) as
    case when regexp_full_match(t, '[0-9]{1,15}') then cast(cast(t as bigint) as double)
         when regexp_full_match(t, pattern) then cast(replace(replace(t, '.', ''), ',', '.') as double) end;

-- The same number exactly, for sums: a decimal with the format's 15 digits before the comma
-- and 6 after (pipeline/schemas/). Sums of these are exact (DuckDB sums DECIMAL(21, 6) into
-- DECIMAL(38, 6)), so a national figure does not depend on the order of its rows, as sums of
-- doubles do; it becomes a double only once summed.
create or replace macro danish_decimal(t, pattern) as
    case when regexp_full_match(t, '[0-9]{1,15}') then cast(cast(t as bigint) as decimal(21, 6))
         when regexp_full_match(t, pattern) then cast(replace(replace(t, '.', ''), ',', '.') as decimal(21, 6)) end;

create or replace macro whole_number(t, pattern) as
    case when regexp_full_match(t, pattern) then cast(t as bigint) end;

-- Where a figure is written: "file:line" for a figure on one row; the file alone for a sum of
-- several rows, which has no one line (pipeline/fmt.py writes the same in Python).
create or replace macro source_location(file, line) as file || coalesce(':' || line, '');

-- A source cited by its publisher and the year it published ("NSK 2024"), as the comparison
-- cites both countries' figures.
create or replace macro cited_by_year(publisher, published_year) as
    publisher || ' ' || coalesce(published_year::varchar, 'udateret');

-- A figure's publisher and, when it was read in another publication, that one
-- ("Danmarks Statistik, læst i ...").
create or replace macro read_in(publisher, reported_by) as publisher || coalesce(', læst i ' || reported_by, '');

-- A date as written in a raw file is a span of days: 'YYYY' is a whole year, 'YYYY-MM' a month,
-- 'YYYY-MM-DD' one day. Partial dates are compared as spans, never as text ("2020-07" is not
-- later than "2020"). Null when the text is not a real calendar date ("2024-13-45").
-- A calendar date from its text, or null: also for years before 1000, which no source here
-- can have and which some readers cannot show (year 0 is 1 BC).
create or replace macro real_date(t) as case
    when try_cast(t as date) between date '1000-01-01' and date '9999-12-31' then try_cast(t as date) end;

create or replace macro date_span_start(t) as case
    when regexp_full_match(t, '[0-9]{4}') then real_date(t || '-01-01')
    when regexp_full_match(t, '[0-9]{4}-[0-9]{2}') then real_date(t || '-01')
    when regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}') then real_date(t) end;

create or replace macro date_span_end(t) as case
    when regexp_full_match(t, '[0-9]{4}') then real_date(t || '-12-31')
    when regexp_full_match(t, '[0-9]{4}-[0-9]{2}') then last_day(real_date(t || '-01'))
    when regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}') then real_date(t) end;

-- Release records typed: every field trimmed and typed, the typed text kept beside each parsed
-- field so validation can quote what was written. A field that does not match its documented
-- format becomes null here and is reported by validation; numbers are read as Danish ("1.520"
-- is 1520), never as decimals; the patterns come from pipeline/schemas/, the one place that
-- defines the raw formats. One definition for the two kinds of records typed alike: rows
-- (sql/stg_raw__release_figures.sql) and groups of rows that differ only in `value` and `month`
-- (sql/int_release_groups_typed.sql).
create or replace macro typed_release_records(records, number_pattern, year_pattern, months_pattern) as table
with trimmed as (
    select
        -- any further columns (release_id, source_file, source_line, and the counts of
        -- sql/int_release_rows_grouped.sql when it is grouped rows that are typed) pass through
        * exclude (series, reference_year, value, months_covered, period_end, count_date, kind, unit,
                   status, publisher, publication, published, reported_by, url, note, month, region,
                   exceptional, reported_on, source_kind, supersedes, approximate),
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
        nullif(trim(exceptional), '')    as exceptional,
        nullif(trim(reported_on), '')    as reported_on,
        nullif(trim(source_kind), '')    as source_kind_text,
        nullif(trim(supersedes), '')     as supersedes,
        nullif(trim(approximate), '')    as approximate_text
    from query_table(records)
)
select
    *,
    whole_number(reference_year_text, year_pattern)         as reference_year,
    danish_number(value_text, number_pattern)               as value,
    -- the same value as a decimal, which sums exactly (sql/int_keyfigures_aggregated_to_country_year.sql)
    danish_decimal(value_text, number_pattern)              as value_exact,
    whole_number(months_covered_text, months_pattern)       as months_covered,
    whole_number(month_text, months_pattern)                as month,
    real_date(period_end_text)                              as period_end,
    -- a count date known to the year, the month or the day: the span's first day, and how
    -- precisely it is known (a month's count is printed "januar 2016", never "1. januar 2016")
    date_span_start(count_date_text)                        as count_date,
    case when regexp_full_match(count_date_text, '[0-9]{4}') then 'year'
         when regexp_full_match(count_date_text, '[0-9]{4}-[0-9]{2}') then 'month'
         when count_date_text is not null then 'day' end    as count_date_precision,
    -- the publisher as the duplicate rule compares it: case and runs of spaces aside
    lower(regexp_replace(publisher, '\s+', ' ', 'g'))       as publisher_key,
    -- when the release appeared, as the span of days its date allows
    date_span_start(published)                              as published_start,
    date_span_end(published)                                as published_end,
    -- when the source that was read appeared (a quote's date, never the original's)
    date_span_start(reported_on)                            as reported_on_start,
    date_span_end(reported_on)                              as reported_on_end,
    -- the kind of source as declared, or by the documented rule (data/raw/README.md): a
    -- figure read at its publisher (no `reported_by`) is primary; a quote that does not say
    -- what kind it is weighs least, as a quote in the press
    coalesce(source_kind_text, case when reported_by is null then 'primary' else 'press' end) as source_kind,
    coalesce(approximate_text = 'true', false)              as approximate
from trimmed;

