"""The project's own error type: every problem with an input names where it is."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


class NotUtf8(ValueError):
    """Bytes that are not UTF-8 text: where the first bad byte is (1-based line and column,
    the column counted in characters) and its value."""

    def __init__(self, line: int, column: int, byte: int):
        self.line, self.column, self.byte = line, column, byte
        super().__init__(f"line {line}, column {column}: byte 0x{byte:02x} is not UTF-8")


def utf8_text(data: bytes) -> str:
    """`data` as text, or NotUtf8 naming where the first byte that is not UTF-8 is."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = line_column(data[: exc.start].decode("utf-8"))
        raise NotUtf8(line, column, data[exc.start]) from None


def line_column(before: str) -> tuple[int, int]:
    """The 1-based line and column of the character that follows the text `before`."""
    lines = before.split("\n")
    return len(lines), len(lines[-1]) + 1


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
