-- The publications whose printed values and statements the audit checks
-- (data/raw/publications/): each with when it appeared, the last day of the data it could
-- use (its data cut-off, declared, not guessed), and the extrapolation method it used. The
-- audit judges a publication by the releases published up to its cut-off.
with trimmed as (
    select
        source_file,
        source_line,
        nullif(trim(publication), '')  as publication,
        nullif(trim(published), '')    as published,
        nullif(trim(data_cutoff), '')  as data_cutoff_text,
        nullif(trim(method), '')       as method,
        nullif(trim(note), '')         as note
    from raw_publications
)

select
    *,
    date_span_start(published)         as published_start,
    date_span_end(published)           as published_end,
    real_date(data_cutoff_text)         as data_cutoff
from trimmed
order by source_file, source_line
