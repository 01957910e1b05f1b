"""params.yaml: the choices a run depends on (DVC tracks each section separately).

The file is checked against a schema before any stage uses it: types, ranges and the names
of every choice, and no key the schema does not know (a misspelt `metod: trend` would
otherwise be ignored and the default used in silence). Checks that need the data (does a
series or a release exist?) are made by the stage that reads the data."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from pipeline.errors import NotUtf8, line_column, one_line, utf8_text
from pipeline.paths import Paths


class ParamsError(SystemExit):
    """A bad value in params.yaml: one line naming the parameter, exit 1, no traceback
    (a SystemExit, as for the other params checks, so every stage and the CLI end cleanly)."""

    def __init__(self, key: str, message: str):
        super().__init__(one_line(f"params.yaml: {key}: {message}"))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


Level = Annotated[float, Field(gt=0, lt=1, strict=False)]
Year = StrictInt | None


class Interval(_Section):
    method: Literal["negative_binomial", "poisson", "exact_poisson_rate", "poisson_glm_rate"] = "negative_binomial"
    level: Level = 0.95
    # at least 4 years: with 3 the dispersion would rest on 1 degree of freedom, a posterior
    # so wide that the interval says nothing
    min_history_years: Annotated[StrictInt, Field(ge=4, le=100)] = 5
    # earlier years with both a partial and a final release needed to measure the variation
    # within a year (pipeline/uncertainty.py)
    min_split_years: Annotated[StrictInt, Field(ge=2, le=100)] = 3


class HistoryWindow(_Section):
    # the first earlier year of the same definition; null: every earlier year
    first_year: StrictInt | None = None
    # why earlier years are left out, in Danish for the notes ("opgjort efter en anden definition")
    reason: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class Extrapolation(_Section):
    method: Literal["linear", "seasonal_share", "trend"] = "linear"
    rounding: Literal["half_up", "half_even"] = "half_up"
    decimals: Annotated[StrictInt, Field(ge=0, le=4)] = 0
    interval: Interval = Interval()
    leave_out_exceptional: StrictBool = True
    # per series, the earlier years a fit may use (default: those of the same publication)
    history: dict[StrictStr, HistoryWindow] = {}
    # a partial year before a series' latest: shown as counted (observed) or extrapolated
    past_partial_years: Literal["observed", "extrapolate"] = "observed"


class Stocks(_Section):
    count: Literal["annual", "latest_dated"] = "annual"


class Table(_Section):
    number: StrictStr
    title: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    series: Annotated[list[StrictStr], Field(min_length=1)]
    first_year: Year = None
    last_year: Year = None
    last_n_years: Year = None
    row_labels: StrictBool = True
    partial_marker: Literal["asterisk", "header"] = "asterisk"


class ChartContext(_Section):
    year: StrictInt
    label: Annotated[StrictStr, Field(min_length=1, max_length=80)]


class Chart(_Section):
    kind: StrictStr  # the family of charts (pipeline/charts/catalog.py); checked by the charts stage
    title: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    series: list[StrictStr] = []
    first_year: Year = None
    context: list[ChartContext] = []
    mark: Literal["bar", "line"] = "bar"
    panels: StrictBool = False
    horizontal: StrictBool = False
    plot_height: Annotated[StrictInt, Field(ge=100, le=2000)] | None = None
    y_title: Annotated[StrictStr, Field(min_length=1, max_length=80)] | None = None
    drawn_as: Annotated[StrictStr, Field(min_length=1, max_length=80)] | None = None
    notes: list[Annotated[StrictStr, Field(min_length=1)]] = []


class ComparisonInterval(_Section):
    level: Level = 0.95
    # the exact and approximate Poisson intervals of the rates (statsmodels' names)
    rate: Literal[
        "exact-c", "midp-c", "score", "wald", "waldccv", "jeff", "sqrt", "sqrt-a", "sqrt-v", "sqrt-cent", "sqrt-centcc"
    ] = "exact-c"
    ratio: Literal["conditional_binomial", "score"] = "conditional_binomial"


class Population(_Section):
    denmark: StrictStr
    sweden: StrictStr


class Comparison(_Section):
    denmark: StrictStr
    sweden: StrictStr
    sweden_release: StrictStr | None = None
    first_year: Year = None
    last_year: Year = None
    last_n_years: Year = None
    population: Population
    partial_year: Literal["annualise", "same_months"] = "annualise"
    per_inhabitants: Annotated[StrictInt, Field(gt=0, le=10**9)] = 100_000
    interval: ComparisonInterval = ComparisonInterval()


class Params(_Section):
    # The run's reference date: no release may be published after it, nor report on a later
    # year. Empty: the day of the run.
    as_of: dt.date | None = None
    extrapolation: Extrapolation = Extrapolation()
    stocks: Stocks = Stocks()
    tables: dict[StrictStr, Table]
    comparison: Comparison
    charts: dict[StrictStr, Chart]


# A chart's name is the stem of its files (outputs/charts/<name>.*) and a key DVC splits at dots.
CHART_NAME = re.compile(r"[a-z0-9_]+")


def _first_error(exc: ValidationError, model: type[BaseModel]) -> ParamsError:
    """pydantic's first complaint as one line: the dotted key, what is wrong, and for an
    unknown key the known key it most resembles (first: a misspelt key also makes the key it
    meant missing)."""
    errors = exc.errors()
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        known = _known_keys(model, error["loc"][:-1])
        near = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else f" (known: {', '.join(known)})"
        return ParamsError(key, "is not a known key" + hint)
    if error["type"] == "missing":
        return ParamsError(key, "is missing")
    value = error.get("input")
    shown = f"{value!r} " if not isinstance(value, (dict, list)) else ""
    return ParamsError(key, f"{shown}{error['msg'][:1].lower()}{error['msg'][1:]}")


def _known_keys(model: type[BaseModel], where: tuple) -> list[str]:
    """The keys the schema allows at `where` (a path of keys; table and chart names are any
    name, a list's entries are numbered)."""
    current: Any = model
    for part in where:
        if get_origin(current) in (dict, list):  # an entry of a dict of tables or charts, or of a list
            current = get_args(current)[-1]
        else:
            current = current.model_fields[str(part)].annotation
    return sorted(current.model_fields)


def check_params(settings: Any) -> dict[str, Any]:
    """params.yaml's content checked against the schema, with defaults filled in."""
    if not isinstance(settings, dict):
        raise ParamsError(
            "(the file)", "is not a mapping of sections (extrapolation, stocks, tables, comparison, charts)"
        )
    try:
        checked = Params.model_validate(settings).model_dump()
    except ValidationError as exc:
        raise _first_error(exc, Params) from None
    for name in checked["charts"]:
        if not CHART_NAME.fullmatch(name):
            raise ParamsError(
                f"charts.{name}",
                "a chart's name may hold only a-z, 0-9 and _ (it names its files, and DVC splits at dots)",
            )
    return checked


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML where a key given twice is an error, as for DVC, rather than the last one winning.
    On libyaml's parser where PyYAML has it (every stage and command reads params.yaml; the
    pure-Python parser took 0,03 s a read), else on PyYAML's own: the same values."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{key}' is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_params(paths: Paths) -> dict[str, Any]:
    try:
        raw = paths.params.read_bytes()
    except OSError as exc:
        raise ParamsError("(the file)", f"cannot be read ({exc.strerror})") from None
    try:
        text = utf8_text(raw)
    except NotUtf8 as bad:
        raise ParamsError(f"line {bad.line}, column {bad.column}", "is not UTF-8 text") from None
    try:
        settings = yaml.load(text, Loader=_UniqueKeyLoader) or {}
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, at a place in the text
        where = "line {}, column {}".format(*line_column(text[: exc.position]))
        raise ParamsError(where, f"is not valid YAML (character #x{exc.character:04x} is not allowed)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(the file)"
        raise ParamsError(where, f"is not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    return check_params(settings)


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
            raise ParamsError(
                f"{where}.{key}", f"{choice[key]} is not a year from {FIRST_PLAUSIBLE_YEAR} to {LAST_PLAUSIBLE_YEAR}"
            )
    n = choice["last_n_years"]
    if n is not None:
        if not 1 <= n <= LAST_PLAUSIBLE_YEAR - FIRST_PLAUSIBLE_YEAR + 1:
            raise ParamsError(f"{where}.last_n_years", f"{n} is not a number of years (1 or more)")
        if choice["first_year"] is not None:
            raise ParamsError(
                f"{where}.last_n_years",
                f"set either first_year ({choice['first_year']}) or last_n_years ({n}), not both",
            )
    if (
        choice["first_year"] is not None
        and choice["last_year"] is not None
        and choice["last_year"] < choice["first_year"]
    ):
        raise ParamsError(f"{where}.last_year", f"{choice['last_year']} is before first_year {choice['first_year']}")
    return choice


def resolve_years(
    choice: dict[str, int | None], where: str, data_first: int | None, data_last: int | None
) -> tuple[int, int]:
    """First and last year: pinned in params.yaml, else from the data (`data_first`,
    `data_last`: the defaults the caller takes from the figures it shows)."""
    last = choice["last_year"] if choice["last_year"] is not None else data_last
    if choice["last_n_years"] is not None and last is not None:
        first = last - choice["last_n_years"] + 1
    else:
        first = choice["first_year"] if choice["first_year"] is not None else data_first
    if first is None or last is None:
        raise ParamsError(
            where,
            "no figures in the data to choose its years from; "
            "pin first_year and last_year, or add the figures to data/raw/",
        )
    if last < first:
        if choice["last_year"] is not None:
            raise ParamsError(f"{where}.last_year", f"{last} is before {first}, the first year with figures")
        raise ParamsError(f"{where}.first_year", f"{first} is after {last}, the last year with figures")
    return first, last


def require_known(where: str, names, known, what: str, home: str) -> None:
    """References from params.yaml into the data: each of `names` must be among `known`
    (series ids, release ids), else one line naming the parameter and the nearest match."""
    known = sorted(set(known))
    for name in [names] if isinstance(names, str) else names:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ParamsError(where, f"'{name}' is not a {what} in {home}{hint}")


def reference_date(params: dict[str, Any]) -> dt.date:
    """params.yaml's as_of, or the day of the run."""
    return params.get("as_of") or dt.date.today()
