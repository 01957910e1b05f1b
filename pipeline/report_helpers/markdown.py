"""Markdown for the report's cells: escaped text, tables, notes under a table, lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def escape(text: str) -> str:
    """Plain text into markdown: pipeline text such as '1.234 (1.645)*' must print as it is;
    '$y$' is no formula, '&amp;' no entity, '~x^' no sub- or superscript."""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|$@~^&" else ch for ch in str(text))


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], align: str | None = None, widths: Sequence[int] | None = None
) -> str:
    """A pipe table of plain text cells. `align`: 'l' or 'r' per column (default: first left,
    the rest right); `widths`: relative column widths, for tables with long text (pandoc
    takes them from the dashes under the header)."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = widths or [3] * len(header)
    rule = [(":" + "-" * w if a == "l" else "-" * w + ":") for a, w in zip(align, widths)]
    lines = ["| " + " | ".join(escape(h) for h in header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def compact(table: str) -> str:
    """A wide table in the PDF: smaller type and ragged lines (justified text in narrow cells
    leaves gaps); the HTML is unchanged."""
    return "\n\n".join(
        ["```{=typst}\n#[#set text(size: 8.5pt)\n#set par(justify: false)\n```", table, "```{=typst}\n]\n```"]
    )


def notes(*texts: str) -> str:
    """Notes and source lines under a table, in the report's small print."""
    return "\n\n".join(f"::: {{.float-note}}\n{escape(t)}\n:::" for t in texts if t)


def bullets(items: Iterable[str]) -> str:
    """A markdown list; the items are markdown already."""
    return "\n".join(f"- {item}" for item in items)
