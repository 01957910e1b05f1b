-- Shared by the staging models: a field typed from its text only when the text matches the
-- raw format's pattern (pipeline/schemas.py); otherwise null, and validation reports it.
-- Numbers are Danish: "1.520" is 1520 and "388,5" is 388.5. Plain digits, by far the most
-- common text, take a cheaper road to the same number (up to 15 digits a double holds
-- every integer exactly; the pattern accepts all of them).
create or replace macro danish_number(t, pattern) as
    case when regexp_full_match(t, '[0-9]{1,15}') then cast(cast(t as bigint) as double)
         when regexp_full_match(t, pattern) then cast(replace(replace(t, '.', ''), ',', '.') as double) end;

-- The same number exactly, for sums: a decimal with the format's 15 digits before the comma
-- and 6 after (pipeline/schemas.py). Sums of these are exact (DuckDB sums DECIMAL(21, 6) into
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
