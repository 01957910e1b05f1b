-- Test: a publication's printed values and statements are judged by the data up to its
-- cut-off, so every publication they name is declared in data/raw/publications/. Returns the
-- rows naming one that is not, with the file, line, column and message of the error.
with naming as (
    select source_file, source_line, publication from int_published_values_matched_to_series
    union all
    select source_file, source_line, publication from int_statements_flagged
)

select
    source_file,
    source_line,
    'publication' as "column",
    '''' || publication || ''' is not declared in data/raw/publications/ (with its data cut-off)' as message
from naming
where publication is not null
  and publication not in (select publication from stg_raw__publications where publication is not null)
