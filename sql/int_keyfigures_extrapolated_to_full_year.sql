-- Full-year figures by the report's method (`linear`): a partial-year flow's monthly mean
-- over the months it covers, times the months of a year. Full-year flows and stocks pass
-- unchanged (a stock is a head-count on a date and is never annualised). Other methods and
-- the rounding are applied by pipeline/extrapolate.py on top of this.
--
-- Only the latest year of a series is extrapolated (`is_extrapolated`): it is the year still
-- under way when its release appeared. An earlier year known only in part is shown as the
-- count it is, with its months (`is_partial`, status `observed`), unless
-- `$past_partial_years` (params.yaml extrapolation.past_partial_years) is 'extrapolate'.
-- The latest year is the latest of the figures given, so the data as a publication had it
-- (pipeline/audit/vintage.py) has its own latest year.
with classified as (
    select
        *,
        kind = 'flow' and months_exposure < $months_in_year as is_partial,
        reference_year = max(reference_year) over (partition by series) as is_latest_year
    from int_keyfigures_ranked_by_vintage
),

decided as (
    select
        *,
        is_partial and (is_latest_year or $past_partial_years = 'extrapolate') as is_extrapolated
    from classified
),

extrapolated as (
    select
        *,
        case when is_partial then value / months_exposure end                    as monthly_mean,
        case when is_extrapolated then value * $months_in_year / months_exposure
             else value end                                                      as value_linear
    from decided
)

select
    series,
    country,
    concept,
    reference_year,
    release_id,
    vintage_rank,
    observation_rank,
    observation_rank = 1                                as selected,
    kind,
    unit,
    value                                               as observed_value,
    months_covered,
    period_end,
    months_exposure,
    count_date,
    count_date_precision,
    is_partial,
    is_latest_year,
    is_extrapolated,
    case when is_extrapolated then 'estimated' else 'observed' end as status,
    monthly_mean,
    value_linear,
    status                                              as release_status,
    publisher,
    publication,
    published,
    published_start,
    published_end,
    published_year,
    reported_by,
    reported_on,
    source_kind,
    authority_rank,
    supersedes,
    superseded,
    approximate,
    url,
    note,
    exceptional,
    source_file,
    source_line,
    rows_aggregated,
    regions
from extrapolated
order by series, reference_year, observation_rank
