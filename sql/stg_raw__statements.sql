-- The report's statements derived from its tables (data/raw/statements/), each with the
-- computation it implies. Numbers typed the Danish way, like the releases.
with trimmed as (
    select
        source_file,
        source_line,
        nullif(trim(statement_id), '')  as statement_id,
        nullif(trim(publication), '')   as publication,
        nullif(trim(location), '')      as location,
        nullif(trim(quote), '')         as quote,
        nullif(trim(operation), '')     as operation,
        nullif(trim(series), '')        as series,
        nullif(trim(years), '')         as years,
        nullif(trim(operands), '')      as operands,
        nullif(trim(printed), '')       as printed_text,
        nullif(trim(printed_upper), '') as printed_upper_text,
        nullif(trim(decimals), '')      as decimals,
        nullif(trim(note), '')          as note
    from raw_statements
)

select
    trimmed.*,
    danish_number(printed_text, $number_pattern)       as printed,
    danish_number(printed_upper_text, $number_pattern) as printed_upper,
    -- a range written backwards ("2023-2021") names no years
    len(list_filter(regexp_extract_all(coalesce(years, ''), '[0-9]{4}-[0-9]{4}'),
                    lambda r: split_part(r, '-', 1)::int > split_part(r, '-', 2)::int)) > 0  as years_backwards,
    -- every series named (';'-separated) must be in series.csv
    series is null or len(list_filter(string_split(series, ';'), lambda s: not list_contains(known.ids, s))) = 0
                                                                                            as series_known
from trimmed
cross join (select list(series) as ids from stg_series) as known
order by source_file, source_line
