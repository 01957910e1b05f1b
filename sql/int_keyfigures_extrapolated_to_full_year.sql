-- Full-year figures by the report's method: a partial-year flow's monthly mean over the
-- months it covers, times the months of a year. Full-year flows and stocks pass unchanged
-- (a stock is a head-count on a date and is never annualised).
with classified as (
    select
        *,
        kind = 'flow' and months_exposure < $months_in_year as is_partial
    from ranked_figures
),

extrapolated as (
    select
        *,
        case when is_partial then value / months_exposure end                    as monthly_mean,
        case when is_partial then value * $months_in_year / months_exposure
             else value end                                                      as value_unrounded
    from classified
),

rounded as (
    select
        *,
        case
            when not is_partial then value_unrounded
            when $rounding = 'half_up'
                then floor(value_unrounded * pow(10, $decimals) + 0.5) / pow(10, $decimals)
            when $rounding = 'half_even'
                then round_even(value_unrounded, $decimals)
        end as full_year_value
    from extrapolated
)

select
    series,
    country,
    concept,
    reference_year,
    release_id,
    vintage_rank,
    vintage_rank = 1                                    as selected,
    kind,
    unit,
    value                                               as observed_value,
    months_covered,
    period_end,
    months_exposure,
    count_date,
    case when is_partial then 'estimated' else 'observed' end as status,
    case when is_partial then $method else 'none' end  as method,
    case when is_partial then $rounding end            as rounding,
    monthly_mean,
    value_unrounded,
    full_year_value                                     as value,
    status                                              as release_status,
    publisher,
    publication,
    published,
    reported_by,
    url,
    note,
    source_file,
    source_line
from rounded
order by series, reference_year, vintage_rank
