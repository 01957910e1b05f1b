-- The reach of the custom notifications (VIVE section 2.6), as the report gives it: each
-- item with the item it is part of. Counts typed the Danish way, like the releases.
with trimmed as (
    select
        source_file,
        source_line,
        nullif(trim(item), '')               as item,
        nullif(trim(parent), '')             as parent,
        nullif(trim(value), '')              as value_text,
        lower(nullif(trim(approximate), '')) as approximate,
        nullif(trim(label_da), '')           as label_da,
        nullif(trim(publication), '')        as publication,
        nullif(trim(location), '')           as location,
        nullif(trim(quote), '')              as quote
    from raw_notifications
)

select
    *,
    danish_number(value_text, $number_pattern)                                as value
from trimmed
order by source_file, source_line
