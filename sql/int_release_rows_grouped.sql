-- Release rows grouped on every field but `value` and `month`: one row per group with the
-- number of rows, the sum of their values, and what the rules need to know of the two
-- varying fields: the smallest and largest value and whether one is fractional (for the
-- rules on values, pipeline/schemas/ VALUE_RULES), and bits (any row setting a bit sets it for
-- the group). Values and months
-- are parsed exactly as the macro typed_release_records (sql/macros.sql) parses them (same macros, same
-- trimmed text). Millions of monthly and regional rows become one row per region and
-- figure, which sql/int_release_groups_typed.sql types.
--
-- value_flags: 1 a blank value, 2 a value not in the number format.
-- month_mask:  bit m for each month m in 1-12; bit 0 for a row without a month (as typed:
--              blank or not a month number); bit 13 for a month outside 1-12; bit 14 for a
--              month text that is not a month number; bit 15 for a blank month. Bits 0-13
--              are the distinct months, so their count is the number of distinct months.
with trimmed as (
    select * replace (nullif(trim(value), '') as value, nullif(trim(month), '') as month)
    -- blank records (every field empty) are not figures: each reader has dropped them
    from raw_releases
),

parsed as (
    select
        *,
        danish_decimal(value, $number_pattern) as value_parsed,  -- exact: summed below
        whole_number(month, $months_pattern)  as month_parsed
    from trimmed
),

grouped as (
    select
        filename,
        series, reference_year, months_covered, period_end, count_date, kind, unit, status,
        publisher, publication, published, reported_by, url, note, region, exceptional,
        reported_on, source_kind, supersedes, approximate,
        -- `value` and `month` stay as blank columns: the staging model types these groups like rows
        null::varchar                                                 as value,
        null::varchar                                                 as month,
        count(*)                                                      as rows_grouped,
        min(source_line)                                              as source_line,  -- row reader only
        sum(value_parsed)                                             as value_sum,  -- exact, in any order
        max(month_parsed)                                             as month_max,
        min(value_parsed)                                             as value_min,
        max(value_parsed)                                             as value_max,
        bool_or(value_parsed <> floor(value_parsed))                  as value_fractional,
        bit_or((case when value is null then 1 else 0 end)
             | (case when value is not null and value_parsed is null then 2 else 0 end)) as value_flags,
        bit_or(case when month_parsed between 1 and 12 then 1 << month_parsed::integer
                    when month_parsed is not null then 1 << 13
                    when month is not null then (1 << 14) | 1
                    else (1 << 15) | 1 end)                           as month_mask
    from parsed
    group by all
)

select
    f.release_id,
    f.source_file,
    g.* exclude (filename)
from grouped as g
join release_files as f using (filename)
