"""The parsed report and the syntax the steps share: its blocks, its numbered floats, the
error that names file and line, and markdown's code spans and fenced blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.errors import InputError, Problem

REPORT = "noegletal.qmd"
PROJECT_FILE = "_quarto.yml"


OUTPUT_SUFFIX = {"html": ".html", "typst": ".pdf", "docx": ".docx"}
# The word before a float's number, by document language (Typst has its own, the same).
FLOAT_NAMES = {"da": {"tbl": "Tabel", "fig": "Figur"}, "en": {"tbl": "Table", "fig": "Figure"}}


FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>.*?)\s*$")
ENGINE = re.compile(r"^\{(?P<lang>[A-Za-z][\w-]*)(?P<rest>[^}]*)\}$")  # {python}; not {=html}, {.py}
FENCED_BLOCK = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^ {0,3}(?P=fence)[`~]*[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
INLINE_EXPR = re.compile(r"^\{(?P<lang>[A-Za-z][\w-]*)\}\s+(?P<expr>.+)$", re.S)
XREF = re.compile(r"\[(?P<minus1>-?)@(?P<key1>[\w:.-]*\w)\]|(?<![\w@\\])(?P<minus2>-?)@(?P<key2>[\w:.-]*\w)")
ATTRIBUTES = re.compile(r"\{(?=[#.]|[\w-]+=)(?P<body>[^{}]*)\}")
DIV_BARE_CLASS = re.compile(r"^:{3,}[ \t]*(?P<cls>[\w-]+)[ \t]*$", re.M)  # ::: callout-note
HEADING_1 = re.compile(r"^#\s+(?P<text>.*?)\s*$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ReportError(InputError):
    """A problem in the report's sources, named by file and line like a raw-input problem."""

    def __init__(self, file: str, line: int | None, message: str, check: str = "report", trace: str = ""):
        self.trace = trace
        super().__init__([Problem(file, line, None, check, message)])

    def render(self) -> str:
        # the problem in one line; below it, for an error in the report's own code, the
        # cell's traceback as the kernel printed it, for the report's author
        return "\n".join([*(p.render() for p in self.problems), *([self.trace] if self.trace else [])])


@dataclass
class Block:
    """A piece of the .qmd: markdown, a fenced block shown as is, or a Python cell."""

    kind: str  # "markdown" | "verbatim" | "cell"
    line: int  # where it starts in the .qmd, 1-based
    text: str  # for a cell: its code without the `#| ` option lines
    options: dict = field(default_factory=dict)
    outputs: list = field(default_factory=list)


@dataclass
class Report:
    file: str  # as shown in messages, relative to the project root
    config: dict  # _quarto.yml with the front matter merged over it
    blocks: list[Block]
    floats: dict[str, str]  # label -> number, e.g. "tbl-medlemmer" -> "1.1"


def _segments(text: str):
    """(offset, piece, is_code) of markdown text: fenced blocks (raw blocks too) and inline
    code spans apart from the prose, which alone is checked and has cross-references."""
    pos = 0
    for block in [*FENCED_BLOCK.finditer(text), None]:
        end = block.start() if block else len(text)
        for m in CODE_SPAN.finditer(text, pos, end):
            if m.start() > pos:
                yield pos, text[pos : m.start()], False
            yield m.start(), m.group(0), True
            pos = m.end()
        if end > pos:
            yield pos, text[pos:end], False
        if block:
            yield block.start(), block.group(0), True
            pos = block.end()
