-- Shared by the staging models: a field typed from its text only when the text matches the
-- raw format's pattern (pipeline/schemas.py); otherwise null, and validation reports it.
-- Numbers are Danish: "1.520" is 1520 and "388,5" is 388.5.
create or replace macro danish_number(t, pattern) as
    case when regexp_full_match(t, pattern) then cast(replace(replace(t, '.', ''), ',', '.') as double) end;

create or replace macro whole_number(t, pattern) as
    case when regexp_full_match(t, pattern) then cast(t as bigint) end;
