-- The typed release rows with what their series says (data/raw/series.csv): the rules compare
-- a row's kind and unit with its series', and a whole-number series refuses fractions.
select
    rows.*,
    s.country,
    s.concept,
    s.kind                as series_kind,
    s.unit                as series_unit,
    s."integer" = 'true'  as series_integer
from stg_raw__release_figures as rows
left join stg_raw__series as s using (series)
