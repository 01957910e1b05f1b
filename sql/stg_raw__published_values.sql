-- The values a publication printed (data/raw/published/), typed like the releases. They are
-- kept apart from the releases: compared against, never computed from.
with trimmed as (
    select
        source_file,
        source_line,
        nullif(trim(publication), '')    as publication,
        nullif(trim(table_id), '')       as table_id,
        nullif(trim(location), '')       as location,
        nullif(trim(series), '')         as series,
        nullif(trim(reference_year), '') as reference_year_text,
        nullif(trim(measure), '')        as measure,
        nullif(trim(value), '')          as value_text,
        nullif(trim(printed), '')        as printed
    from raw_published
)

select
    *,
    whole_number(reference_year_text, $year_pattern)                            as reference_year,
    danish_number(value_text, $number_pattern)                                as value
from trimmed
order by source_file, source_line
