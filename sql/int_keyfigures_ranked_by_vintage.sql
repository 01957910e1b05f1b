-- Every validated figure, ranked among the releases of the same figure. Rank 1 is the one
-- tables use; the others are kept for the audit.
--
-- A flow's figure is its series and year: the fullest period first (a full year beats
-- January–September); then a release that another release of the figure declares it
-- corrects (`supersedes`) last, whatever its authority (a correction takes the authority of
-- what it corrects); then a final count (or one final for its part of the year) before a
-- preliminary one. Then authority decides the value: the kind of source (`source_kind`, in
-- the order of `$source_kinds`: the publisher's own release before an official secondary
-- source, before a quote in research, before one in the press) of the best source giving
-- each value, so that a quote never replaces a value a more authoritative source gives. Of
-- the releases giving that value (which corroborate each other), the publisher's own
-- release is cited where there is one; otherwise the latest original publication
-- (`published`, the original release's date — never when a quote of it appeared,
-- `reported_on`), then the more authoritative. Publication dates are spans of days
-- (`published` "2020" is all of 2020): the span whose middle day is later counts as later
-- (the best guess when all that is known is the span), then the one that ends later; unknown
-- dates last. Two quotes of one release with everything else equal: the earlier quote, then
-- the file name, so that the choice does not depend on the order of files. The audit lists
-- every choice that rests on overlapping or unknown dates, and every quote that disagrees
-- with another source.
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
        year(published_start)::int as published_year,
        list_position($source_kinds, source_kind) as authority_rank
    from validated_figures
),

corrected_releases as (  -- the releases some release declares it corrects, with their authority
    select release_id as supersedes, series, reference_year, count_date, authority_rank as corrected_rank
    from exposed
),

corrected as (
    select
        exposed.* replace (
            -- a correction takes the place of what it corrects: its authority at least
            least(exposed.authority_rank, coalesce(corrected_releases.corrected_rank, exposed.authority_rank))
                as authority_rank
        ),
        -- a release another release of the same figure declares it corrects
        coalesce(list_contains(
            list(exposed.supersedes) over (
                partition by exposed.series, exposed.reference_year, exposed.count_date
            ),
            exposed.release_id
        ), false) as superseded
    from exposed
    left join corrected_releases
        on corrected_releases.supersedes = exposed.supersedes
       and corrected_releases.series = exposed.series
       and corrected_releases.reference_year = exposed.reference_year
       and corrected_releases.count_date is not distinct from exposed.count_date
),

valued as (  -- how much the value itself weighs: the authority of the best source giving it
    select
        *,
        min(authority_rank) over (
            partition by series, reference_year, case when kind = 'stock' then count_date end,
                coalesce(months_exposure, $months_in_year), superseded,
                status in ('final', 'final_for_period'), value
        ) as value_authority
    from corrected
),

vintages as (
    select
        *,
        row_number() over (
            partition by series, reference_year, case when kind = 'stock' then count_date end
            order by
                coalesce(months_exposure, $months_in_year) desc,  -- stocks rank as complete
                superseded,
                (status in ('final', 'final_for_period')) desc,
                value_authority,
                authority_rank > 1,  -- the publisher's own release, where one gives the value
                published_start + ((published_end - published_start) // 2)::integer desc nulls last,
                published_end desc nulls last,
                authority_rank,
                reported_on_start nulls last,
                release_id desc
        ) as vintage_rank
    from valued
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
