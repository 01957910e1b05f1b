"""Verdicts: how a number a publication printed is judged against the data, at the precision it
was printed to. One small declared set, computed here once; the command line, `noegletal
explain` and the report render the audit's result and never judge again.

- `exact`: the data give exactly the printed number.
- `consistent`: the data give a number that rounds (half up) to the printed one at the
  precision it was printed to.
- `follows_older_release`: the printed number is what release A holds, while the best release
  available at the publication's data cut-off, B, holds another (a correction the publication
  could have used). Both are named in the result.
- `mismatch`: no release available to the publication gives the printed number.
- `not_checkable`: the data hold nothing to check the printed number against.

`finding` is not a verdict on a printed number: it marks a note on the data themselves
(sources dated before their figures, count dates), listed with the verdicts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pipeline import fmt

EXACT, CONSISTENT, FOLLOWS_OLDER_RELEASE, MISMATCH, NOT_CHECKABLE = (
    "exact",
    "consistent",
    "follows_older_release",
    "mismatch",
    "not_checkable",
)
VERDICTS = (EXACT, CONSISTENT, FOLLOWS_OLDER_RELEASE, MISMATCH, NOT_CHECKABLE)
AGREEING = frozenset({EXACT, CONSISTENT})
FINDING = "finding"  # a note on the data, not a comparison with a printed number


def round_half_up(value: float, decimals: int) -> float:
    scale = 10.0**decimals
    return math.floor(value * scale + 0.5) / scale


def truncated(value: float, decimals: int) -> float:
    scale = 10.0**decimals
    return math.trunc(value * scale) / scale


def _text(value: float, decimals: int) -> str:
    return fmt.number(value, max(decimals, 0))


def verdict(computed: float | None, printed: float, decimals: int) -> tuple[str, str]:
    """A computed number against the one printed, at the precision it was printed to:
    exact, consistent, mismatch, or not_checkable when nothing was computed."""
    if computed is None or (isinstance(computed, float) and math.isnan(computed)):
        return NOT_CHECKABLE, "the data hold nothing to check it against"
    if math.isclose(computed, printed, abs_tol=1e-9):
        return EXACT, f"{_text(printed, decimals)} is exactly what the inputs give"
    rounded = round_half_up(computed, decimals)
    shown = fmt.number(computed, 2)
    if math.isclose(rounded, printed, abs_tol=1e-9):
        return CONSISTENT, f"{shown} rounds to {_text(printed, decimals)}"
    if math.isclose(truncated(computed, decimals), printed, abs_tol=1e-9):
        return MISMATCH, (
            f"{shown} rounds to {_text(rounded, decimals)}; the printed "
            f"{_text(printed, decimals)} is truncated, not rounded"
        )
    return MISMATCH, f"the inputs give {shown} (rounded {_text(rounded, decimals)}), not {_text(printed, decimals)}"


@dataclass(frozen=True)
class Source:
    """One side of a comparison: a release of the data, or the publication that printed."""

    value: float | None
    release: str | None = None
    publisher: str | None = None
    publication: str | None = None
    published: str | None = None
    location: str | None = None
    # the source gives the value as approximate ("ca. 637"): never judged exact
    approximate: bool = False

    @classmethod
    def of_release(cls, row: dict, value: float | None = None) -> Source:
        return cls(
            value=row["observed_value"] if value is None else value,
            release=row["release_id"],
            publisher=row["publisher"],
            publication=row["publication"],
            published=row["published"],
            approximate=bool(row.get("approximate")),
        )

    def record(self) -> dict:
        return asdict(self)


def _release_text(s: Source) -> str:
    return f"{s.release} ({s.publisher}, published {s.published or 'undated'}: {fmt.number(s.value)})"


def judge(printed: float, decimals: int, best: Source | None, others: Sequence[Source] = ()) -> dict:
    """A printed number against the data a publication had: `best` is the release its data
    select (the fullest, final, latest available at its cut-off), `others` the other releases
    of the same figure available to it. Returns the verdict, its reason and the sources."""
    if best is None or best.value is None:
        return {"verdict": NOT_CHECKABLE, "reason": "no release available to it holds this figure", "data": None}
    v, reason = verdict(best.value, printed, decimals)
    if v == EXACT and best.approximate:
        v, reason = CONSISTENT, f"{_text(printed, decimals)} is what the data give, as an approximate value (ca.)"
    out = {"verdict": v, "reason": reason, "data": best.record()}
    if v in AGREEING:
        out["reason"] = f"{reason}; {_release_text(best)}"
        return out
    followed = next(
        (o for o in others if o.value is not None and verdict(o.value, printed, decimals)[0] in AGREEING), None
    )
    if followed is not None:
        return out | {
            "verdict": FOLLOWS_OLDER_RELEASE,
            "reason": f"equals release {_release_text(followed)}, while the best release available at the "
            f"cut-off, {_release_text(best)}, says another",
            "followed": followed.record(),
        }
    out["reason"] = f"{reason}; no release available to it holds it (selected: {_release_text(best)})"
    return out
