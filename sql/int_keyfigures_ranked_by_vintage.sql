-- Every validated figure, ranked among the releases of the same figure. Rank 1 is the one
-- tables use; the others are kept for the audit.
--
-- A flow's figure is its series and year: the fullest period first (a full year beats
-- January–September), then a final count before a preliminary one, then the latest
-- publication. Publication dates are spans of days (`published` "2020" is all of 2020):
-- the span whose middle day is later counts as later (the best guess when all that is known
-- is the span), then the one that ends later; unknown dates last. The audit lists every
-- choice that rests on overlapping or unknown dates.
--
-- A stock is an observation on its count date: two releases of the same count date are
-- vintages of one figure (ranked like flows), two count dates are two observations, neither
-- replacing the other. Which observation a table shows for a year is `$stock_count`
-- (params.yaml, stocks.count):
--   annual       - the latest count in the year, where a count without a date is taken as the
--                  year's annual count (the police's annual key figures), i.e. at the year's
--                  end; of an undated and a 31 December count, the dated one;
--   latest_dated - the latest count whose date is known; an undated count only when no
--                  count of that year has a date.
-- `months_exposure` is the part of the year covered, in months: months_covered, or, where
-- the source gives a period end inside the last month ("up to 15 December"), the days
-- covered as a share of the year.
with exposed as (
    select
        *,
        case
            when period_end is not null
                then (period_end - make_date(reference_year::int, 1, 1) + 1) * $months_in_year
                     / (make_date(reference_year::int + 1, 1, 1) - make_date(reference_year::int, 1, 1))
            else months_covered
        end::double as months_exposure,
        year(published_start)::int as published_year
    from validated_figures
),

vintages as (
    select
        *,
        row_number() over (
            partition by series, reference_year, case when kind = 'stock' then count_date end
            order by
                coalesce(months_exposure, $months_in_year) desc,  -- stocks rank as complete
                (status = 'final') desc,
                published_start + ((published_end - published_start) // 2)::integer desc nulls last,
                published_end desc nulls last,
                release_id desc
        ) as vintage_rank
    from exposed
),

observations as (
    select
        *,
        row_number() over (
            partition by series, reference_year
            order by
                vintage_rank,  -- only the first vintage of each observation competes
                case $stock_count
                    when 'annual' then coalesce(count_date, make_date(reference_year::int, 12, 31))
                    else count_date
                end desc nulls last,
                count_date is null,
                release_id desc
        ) as observation_rank
    from vintages
)

select * from observations
