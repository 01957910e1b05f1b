-- The report's statements (sql/stg_raw__statements.sql) with what the rules of
-- pipeline/schemas/ need to know of their years and series.
select
    statements.*,
    -- a range written backwards ("2023-2021") names no years
    len(list_filter(regexp_extract_all(coalesce(years, ''), '[0-9]{4}-[0-9]{4}'),
                    lambda r: split_part(r, '-', 1)::int > split_part(r, '-', 2)::int)) > 0  as years_backwards,
    -- every series named (';'-separated) must be in series.csv
    series is null or len(list_filter(string_split(series, ';'), lambda s: not list_contains(known.ids, s))) = 0
                                                                                            as series_known
from stg_raw__statements as statements
cross join (select list(series) as ids from stg_raw__series) as known
order by source_file, source_line
