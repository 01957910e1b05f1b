-- One row per figure of every raw release (the source `raw_releases`), trimmed and typed by
-- the macro `typed_release_records` (sql/macros.sql), which types groups of rows alike
-- (sql/int_release_groups_typed.sql).
-- no order by: rows are summed to national figures next, which are sorted; sorting millions
-- of wide rows here would cost more than the whole typing
select * from typed_release_records(raw_releases, $number_pattern, $year_pattern, $months_pattern)
