-- Full-year figures by the report's method (`linear`): a partial-year flow's monthly mean
-- over the months it covers, times the months of a year. Full-year flows and stocks pass
-- unchanged (a stock is a head-count on a date and is never annualised). Other methods and
-- the rounding are applied by pipeline/extrapolate.py on top of this.
with classified as (
    select
        *,
        kind = 'flow' and months_exposure < $months_in_year as is_partial
    from int_keyfigures_ranked_by_vintage
),

extrapolated as (
    select
        *,
        case when is_partial then value / months_exposure end                    as monthly_mean,
        case when is_partial then value * $months_in_year / months_exposure
             else value end                                                      as value_linear
    from classified
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
    case when is_partial then 'estimated' else 'observed' end as status,
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
