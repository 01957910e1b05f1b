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
    *,
    danish_number(printed_text, $number_pattern)       as printed,
    danish_number(printed_upper_text, $number_pattern) as printed_upper
from trimmed
order by source_file, source_line
