-- Every validated figure, ranked among the releases of the same figure (series, year).
-- Rank 1 is the one tables use: the fullest period first (a full year beats January–
-- September), then a final count before a preliminary one, then the latest publication.
-- The others are kept for the audit.
with ranked as (
    select
        *,
        row_number() over (
            partition by series, reference_year
            order by
                coalesce(months_covered, 12) desc,  -- stocks have no months and rank as complete
                (status = 'final') desc,
                published desc,
                release_id desc
        ) as vintage_rank
    from validated_figures
)

select * from ranked
