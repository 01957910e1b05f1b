"""The project's own error type: every problem with an input names where it is."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def one_line(text: str) -> str:
    """`text` as one printed line: line breaks and other control characters, which a message
    can quote from a bad input, are shown escaped as Python writes them ('\\n', '\\x1b')."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
    )


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place of one input file.

    `line` is the 1-based line in the file (the header is line 1); None when the problem
    concerns the whole file. `column` is the raw file's column name, None for the whole row."""

    file: str
    line: int | None
    column: str | None
    check: str
    message: str

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return one_line(f"{where}: {self.message} [{self.check}]")


class InputError(Exception):
    """Raised when raw inputs are unusable. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        # None sorts before numbers so whole-file problems come first within a file.
        self.problems = sorted(
            problems, key=lambda p: (p.file, -1 if p.line is None else p.line, p.column or "", p.check)
        )
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the raw inputs; nothing was written:"
        return "\n".join([head, *("  " + p.render() for p in self.problems)])
