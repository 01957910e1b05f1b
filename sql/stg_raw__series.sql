-- Series metadata as typed in data/raw/series.csv: trimmed; the plausible maximum typed as
-- a Danish number.
select
    nullif(trim(series), '')            as series,
    nullif(trim(country), '')           as country,
    nullif(trim(label_da), '')          as label_da,
    nullif(trim(unit), '')              as unit,
    nullif(trim(kind), '')              as kind,
    nullif(trim(concept), '')           as concept,
    lower(nullif(trim("integer"), ''))  as "integer",
    nullif(trim(definition_da), '')     as definition_da,
    nullif(trim(definition_source), '') as definition_source,
    nullif(trim(plausible_max), '')     as plausible_max_text,
    danish_number(nullif(trim(plausible_max), ''), $number_pattern) as plausible_max,
    source_file,
    source_line
from raw_series
