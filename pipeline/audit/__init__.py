"""Stage audit: every derived figure and every statement of the report, checked.

Writes outputs/audit/audit.json and audit.md. For each derived figure: its inputs (source,
months), method, formula with numbers, unrounded and rounded result, the value the report
printed, and a verdict from one declared set (pipeline/audit/verdicts.py: exact, consistent
up to the stated rounding, follows_older_release, mismatch, not_checkable) with the reason and
both sources. Then the report's statements derived from its tables, every disagreement
between releases of the same figure, the count dates behind stocks, and each method's
error where a later release gives the final count. Same inputs, byte-identical JSON.

A module each:

- verdicts         the declared verdicts, and the one function that judges a printed number
- records          a figure written down: inputs, period, the years a statement names
- vintage          the data as a publication had it at its data cut-off
- auditor          the `Auditor`, made of the checks below, and the methods' backtest
- printed_figures  the publications' extrapolations and observed values
- statements       the report's statements, recomputed
- releases         releases of one figure against each other, and revisions since
- dates            choices resting on uncertain dates; sources and counts by date
- report           every section in one report, and the stage's `run`
- output           audit.json and audit.md

`python -m pipeline.audit` (pipeline/audit/__main__.py) runs the stage.
"""

from pipeline.audit.auditor import Auditor
from pipeline.audit.output import audit_json, audit_markdown
from pipeline.audit.report import build, run, summarise
from pipeline.audit.verdicts import (
    AGREEING,
    CONSISTENT,
    EXACT,
    FINDING,
    FOLLOWS_OLDER_RELEASE,
    MISMATCH,
    NOT_CHECKABLE,
    VERDICTS,
    Source,
    judge,
    round_half_up,
    verdict,
)
from pipeline.audit.vintage import AFTER, BEFORE, UNCERTAIN, View, as_of, availability

__all__ = [
    "AFTER",
    "AGREEING",
    "FOLLOWS_OLDER_RELEASE",
    "NOT_CHECKABLE",
    "VERDICTS",
    "Source",
    "judge",
    "BEFORE",
    "CONSISTENT",
    "EXACT",
    "FINDING",
    "MISMATCH",
    "UNCERTAIN",
    "Auditor",
    "View",
    "as_of",
    "availability",
    "build",
    "round_half_up",
    "run",
    "summarise",
    "audit_json",
    "audit_markdown",
    "verdict",
]
