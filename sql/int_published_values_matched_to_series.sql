-- The values a publication printed (sql/stg_raw__published_values.sql), each marked whether
-- its series is in data/raw/series.csv (the rule known_series of pipeline/schemas/).
select
    published.*,
    s.series is not null  as series_known
from stg_raw__published_values as published
left join stg_raw__series as s using (series)
order by source_file, source_line
