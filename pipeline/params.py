"""params.yaml: the choices a run depends on (DVC tracks each section separately)."""

from __future__ import annotations

from typing import Any

import yaml

from pipeline.paths import Paths


def load_params(paths: Paths) -> dict[str, Any]:
    with paths.params.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


class ParamsError(SystemExit):
    """A bad value in params.yaml: one line naming the parameter, exit 1, no traceback
    (a SystemExit, as for the other params checks, so every stage and the CLI end cleanly)."""

    def __init__(self, key: str, message: str):
        super().__init__(f"params.yaml: {key}: {message}")


# Which years a table or the comparison shows. Each may be left empty (null), so that
# `dvc exp run -S tables.table_1_3.last_year=2023` finds the key it sets.
YEAR_KEYS = ("first_year", "last_year", "last_n_years")


def year_choice(section: dict, where: str) -> dict[str, int | None]:
    """The year keys of one params section, checked: whole numbers, plausible years, and
    either first_year or last_n_years (they both fix the first year)."""
    from pipeline.schemas import FIRST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR

    choice = {key: section.get(key) for key in YEAR_KEYS}
    for key, value in choice.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ParamsError(f"{where}.{key}", f"{value!r} is not a whole number (or leave it empty)")
    for key in ("first_year", "last_year"):
        if choice[key] is not None and not FIRST_PLAUSIBLE_YEAR <= choice[key] <= LAST_PLAUSIBLE_YEAR:
            raise ParamsError(f"{where}.{key}",
                              f"{choice[key]} is not a year from {FIRST_PLAUSIBLE_YEAR} to {LAST_PLAUSIBLE_YEAR}")
    n = choice["last_n_years"]
    if n is not None:
        if not 1 <= n <= LAST_PLAUSIBLE_YEAR - FIRST_PLAUSIBLE_YEAR + 1:
            raise ParamsError(f"{where}.last_n_years", f"{n} is not a number of years (1 or more)")
        if choice["first_year"] is not None:
            raise ParamsError(f"{where}.last_n_years",
                              f"set either first_year ({choice['first_year']}) or last_n_years ({n}), not both")
    if choice["first_year"] is not None and choice["last_year"] is not None and choice["last_year"] < choice["first_year"]:
        raise ParamsError(f"{where}.last_year", f"{choice['last_year']} is before first_year {choice['first_year']}")
    return choice


def resolve_years(choice: dict[str, int | None], where: str, data_first: int | None,
                  data_last: int | None) -> tuple[int, int]:
    """First and last year: pinned in params.yaml, else from the data (`data_first`,
    `data_last`: the defaults the caller takes from the figures it shows)."""
    last = choice["last_year"] if choice["last_year"] is not None else data_last
    if choice["last_n_years"] is not None and last is not None:
        first = last - choice["last_n_years"] + 1
    else:
        first = choice["first_year"] if choice["first_year"] is not None else data_first
    if first is None or last is None:
        raise ParamsError(where, "no figures in the data to choose its years from; "
                                 "pin first_year and last_year, or add the figures to data/raw/")
    if last < first:
        if choice["last_year"] is not None:
            raise ParamsError(f"{where}.last_year", f"{last} is before {first}, the first year with figures")
        raise ParamsError(f"{where}.first_year", f"{first} is after {last}, the last year with figures")
    return first, last
