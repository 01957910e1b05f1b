-- Every validated figure, ranked among the releases of the same figure (series, year).
-- Rank 1 is the one tables use: the fullest period first (a full year beats January–
-- September), then a final count before a preliminary one, then the latest publication.
-- The others are kept for the audit. `months_exposure` is the part of the year covered, in
-- months: months_covered, or, where the source gives a period end inside the last month
-- ("up to 15 December"), the days covered as a share of the year.
with exposed as (
    select
        *,
        case
            when period_end is not null
                then (period_end - make_date(reference_year::int, 1, 1) + 1) * $months_in_year
                     / (make_date(reference_year::int + 1, 1, 1) - make_date(reference_year::int, 1, 1))
            else months_covered
        end::double as months_exposure
    from validated_figures
),

ranked as (
    select
        *,
        row_number() over (
            partition by series, reference_year
            order by
                coalesce(months_exposure, $months_in_year) desc,  -- stocks rank as complete
                (status = 'final') desc,
                published desc nulls last,
                release_id desc
        ) as vintage_rank
    from exposed
)

select * from ranked
