-- The Denmark–Sweden comparison, one row a year: each side's count, the months it covers,
-- the population it is set against and the person-years of exposure. Intervals are added
-- in pipeline/compare.py. The Danish figure is the one the tables use; the Swedish one
-- comes from the release named in params.yaml (or the tables' choice), and in same_months
-- mode from a release that covers the same months as the Danish one, where there is one.
-- The years come resolved from pipeline/compare.py (params.yaml, or the data).
with years as (
    select unnest(range($first_year::bigint, $last_year::bigint + 1)) as reference_year
),

dk as (
    select * from full_year_figures where selected and series = $dk_series
),

se_all as (
    select * from full_year_figures where series = $se_series
),

se_chosen as (
    select * from se_all
    where (nullif($se_release, '') is null and selected) or release_id = nullif($se_release, '')
),

se_same_months as (
    -- a Swedish figure covering exactly the Danish months; the configured release first
    select se_all.*, row_number() over (
        partition by se_all.reference_year
        order by (se_all.release_id = coalesce(nullif($se_release, ''), '')) desc, se_all.vintage_rank
    ) as pick
    from se_all
    join dk on dk.reference_year = se_all.reference_year
           and se_all.months_exposure = dk.months_exposure
),

matched_years as (
    -- the years whose Swedish figure must cover the Danish months: a partial Danish year in
    -- same_months mode
    select reference_year from dk where $mode = 'same_months' and dk.months_exposure < 12
),

se_used as (
    -- the Swedish figure each year is set against: the same months in a matched year, else
    -- the chosen release's
    select se_chosen.* from se_chosen
    where se_chosen.reference_year not in (select reference_year from matched_years)
    union all by name
    select se_same_months.* exclude (pick) from se_same_months
    join matched_years using (reference_year)
    where se_same_months.pick = 1
),

population as (
    -- the head-count at the start of the year: 1 January, or 31 December the year before
    select series, count_date, observed_value as population, publisher, reported_by, source_file, source_line,
           year(count_date + interval 1 day) as reference_year
    from full_year_figures
    where series in ($dk_population, $se_population)
      and ((month(count_date) = 1 and day(count_date) = 1) or (month(count_date) = 12 and day(count_date) = 31))
      -- the first vintage of that count, whichever count the tables show for its year (a
      -- mid-year count does not take the start-of-year population away)
      and vintage_rank = 1
),

paired as (
    select
        years.reference_year,
        dk.observed_value                                   as dk_count,
        dk.months_exposure                                  as dk_months,
        dk.value_unrounded                                  as dk_full_year,
        dk.status                                           as dk_status,
        dk.interval_lower                                   as dk_full_year_lower,
        dk.interval_upper                                   as dk_full_year_upper,
        cited_by_year(dk.publisher, dk.published_year)      as dk_source,
        source_location(dk.source_file, dk.source_line)    as dk_location,
        se_used.observed_value                              as se_count,
        se_used.months_exposure                             as se_months,
        cited_by_year(se_used.publisher, se_used.published_year) as se_source,
        source_location(se_used.source_file, se_used.source_line) as se_location,
        se_chosen.observed_value                            as se_count_as_quoted,
        dk_pop.population                                   as dk_population,
        dk_pop.count_date                                   as dk_population_date,
        read_in(dk_pop.publisher, dk_pop.reported_by)      as dk_population_source,
        se_pop.population                                   as se_population,
        se_pop.count_date                                   as se_population_date,
        read_in(se_pop.publisher, se_pop.reported_by)      as se_population_source
    from years
    left join dk using (reference_year)
    left join se_chosen using (reference_year)
    left join se_used using (reference_year)
    left join population as dk_pop on dk_pop.reference_year = years.reference_year and dk_pop.series = $dk_population
    left join population as se_pop on se_pop.reference_year = years.reference_year and se_pop.series = $se_population
)

select
    *,
    -- person-years: the population times the share of the year each count covers
    dk_population * dk_months / 12.0 as dk_exposure,
    se_population * se_months / 12.0 as se_exposure
from paired
order by reference_year
