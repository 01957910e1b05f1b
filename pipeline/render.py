"""Stage render: the Quarto report reports/noegletal.qmd as self-contained HTML and as PDF.

With the Quarto CLI on PATH this is `quarto render reports/`. Quarto is on no package registry
the project installs from, so without it an embedded renderer does what Quarto's jupyter engine
and pandoc would, for the subset of Quarto described in reports/README.md:

1. parse    the .qmd: YAML front matter merged over _quarto.yml, markdown, ```{python} cells
            with their `#| ` options. Anything outside the subset fails here, naming file and line.
2. execute  every cell and every inline `{python} expr` in document order in one Jupyter
            kernel (nbclient + ipykernel), working directory reports/, as Quarto does.
3. markdown each cell's outputs as markdown, once per format (HTML, Typst): raw blocks for what
            only one format understands, numbered captions ("Tabel 1.1") and cross-references.
4. convert  pandoc to standalone HTML with every resource embedded; pandoc to Typst and the
            typst compiler to PDF. Both are written atomically and byte-for-byte reproducibly.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.assets import THEME_CSS, AssetError, check_traces, plotlyjs, theme_css
from pipeline.errors import InputError, Problem
from pipeline.io import staged_outputs
from pipeline.paths import Paths
from pipeline.stage import stage_main

REPORT = "noegletal.qmd"
PROJECT_FILE = "_quarto.yml"
CELL_TIMEOUT_S = 600
# A PDF records its creation date; without SOURCE_DATE_EPOCH the Unix epoch keeps it fixed.
DEFAULT_SOURCE_DATE_EPOCH = 0
CHART_FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"),)


# What the embedded renderer understands: cell options and the values it takes for them
# (Quarto knows more, such as `echo: fenced`) ...
def _is_bool(value) -> bool:
    return isinstance(value, bool)


EXECUTE_OPTIONS = ("echo", "eval", "output", "include", "warning", "error")
CELL_OPTION_VALUES = {
    "echo": _is_bool,
    "eval": _is_bool,
    "include": _is_bool,
    "warning": _is_bool,
    "error": _is_bool,
    "output": lambda v: isinstance(v, bool) or v == "asis",
    "label": lambda v: isinstance(v, str) and re.fullmatch(r"[\w-]+", v) is not None,
    "fig-cap": lambda v: isinstance(v, str),
    "tbl-cap": lambda v: isinstance(v, str),
}
CELL_OPTIONS = tuple(CELL_OPTION_VALUES)
# ... and options of _quarto.yml and the front matter: `None` takes any value, a dict lists
# sub-options; CONFIG_VALUES restricts some values.
CONFIG_SCHEMA = {
    "project": {"type": None, "output-dir": None, "render": None},
    "title": None,
    "subtitle": None,
    "author": None,
    "lang": None,
    "number-sections": None,
    "toc": None,
    "jupyter": None,
    "crossref": {"chapters": None, "title-delim": None},
    "execute": dict.fromkeys(EXECUTE_OPTIONS),
    "format": {
        "html": {"embed-resources": None, "toc": None, "theme": None, "toc-location": None},
        "typst": {"papersize": None, "margin": None, "fontsize": None, "toc": None},
        "docx": {"reference-doc": None, "toc": None},
    },
}
CONFIG_VALUES = {
    ("project", "type"): lambda v: v == "default",
    ("project", "render"): lambda v: v == [REPORT],  # the one document the embedded renderer renders
    ("jupyter",): lambda v: v == "python3",
    ("lang",): lambda v: str(v).split("-")[0] in FLOAT_NAMES,
    ("format", "html", "embed-resources"): lambda v: v is True,  # the HTML is always self-contained
    ("format", "html", "theme"): lambda v: v in THEME_CSS,  # the Bootswatch themes vendored in pipeline/vendor/
    ("format", "html", "toc-location"): lambda v: v in ("right", "left"),
    ("format", "docx", "reference-doc"): lambda v: isinstance(v, str) and v.endswith(".docx"),
    ("format", "docx", "toc"): _is_bool,
    ("crossref", "chapters"): _is_bool,
    ("number-sections",): _is_bool,
    ("toc",): _is_bool,
    ("format", "html", "toc"): _is_bool,
    ("format", "typst", "toc"): _is_bool,
    **{("execute", key): CELL_OPTION_VALUES[key] for key in EXECUTE_OPTIONS},
}
OUTPUT_SUFFIX = {"html": ".html", "typst": ".pdf", "docx": ".docx"}
# The word before a float's number, by document language (Typst has its own, the same).
FLOAT_NAMES = {"da": {"tbl": "Tabel", "fig": "Figur"}, "en": {"tbl": "Table", "fig": "Figure"}}
# Div classes and attributes that mean something to Quarto but not to pandoc.
QUARTO_CLASSES = ("callout", "panel-", "column-", "cell", "quarto-")
# Quarto's conditional content, on the output format only (pipeline/report_filters.lua).
CONDITIONAL_CLASSES = ("content-visible", "content-hidden")
CONDITIONS = ("when-format", "unless-format")
QUARTO_ATTRIBUTES = ("layout",)
# Quarto's cross-reference prefixes; `sec-` ids are plain pandoc ids and allowed.
XREF_PREFIXES = ("fig", "tbl", "eq", "lst", "thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr", "sol", "rem")
MIME_ORDER = {  # per format, the first of these a display output has is shown
    "html": (
        "application/vnd.plotly.v1+json",
        "text/html",
        "image/svg+xml",
        "image/png",
        "image/jpeg",
        "text/markdown",
        "text/plain",
    ),
    "typst": ("image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/plain"),
    "docx": ("image/png", "image/jpeg", "text/markdown", "text/plain"),  # a bitmap for Word
}

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

    def __init__(self, file: str, line: int | None, message: str, check: str = "report"):
        super().__init__([Problem(file, line, None, check, message)])

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)


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


# ---------------------------------------------------------------------------------------------
# 1. parse


def parse(reports: Path, paths: Paths) -> Report:
    qmd = reports / REPORT
    file = paths.relative(qmd)
    lines = qmd.read_text(encoding="utf-8").splitlines()
    front, body_start = _front_matter(lines, file)
    project = reports / PROJECT_FILE
    base = _load_config(project.read_text(encoding="utf-8"), 1, paths.relative(project)) if project.exists() else {}
    config = _merge(base, front)
    if isinstance(config.get("format"), str):  # `format: html` is short for `format: {html: default}`
        config["format"] = {config["format"]: None}
    blocks = _blocks(lines, body_start, file)
    for block in blocks:
        if block.kind == "markdown":
            _check_markdown(block.text, block.line, file)
    floats = _number_floats(blocks, config, file)
    for block in blocks:
        if block.kind == "markdown":
            _resolve_xrefs(block.text, block.line, file, floats, config, "html")  # only to check labels
    return Report(file, config, blocks, floats)


def _front_matter(lines: list[str], file: str) -> tuple[dict, int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            return _load_config("\n".join(lines[1:end]), 2, file), end + 1
    raise ReportError(file, 1, "the YAML front matter is not closed by '---'")


def _load_config(text: str, first_line: int, file: str) -> dict:
    try:
        data = yaml.safe_load(text) or {}
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReportError(file, first_line + mark.line if mark else None, f"invalid YAML: {exc}") from None
    lines: dict[tuple, int] = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[path + (key.value,)] = first_line + key.start_mark.line
                walk(value, path + (key.value,))

    walk(node, ())
    _check_config(data, CONFIG_SCHEMA, (), lines, file)
    return data


def _check_config(data: dict, schema: dict, path: tuple, lines: dict, file: str) -> None:
    for key, value in data.items():
        where = path + (key,)
        name = ".".join(where)
        if key not in schema:
            raise ReportError(
                file,
                lines.get(where),
                f"option '{name}' is not supported by the embedded "
                "renderer (install the Quarto CLI, or see reports/README.md)",
            )
        # `format: html` and `html: default` are Quarto's short forms of a format's options
        short_form = (where == ("format",) and isinstance(value, str)) or (
            path == ("format",) and value in (None, "default")
        )
        if isinstance(schema[key], dict) and isinstance(value, dict):
            _check_config(value, schema[key], where, lines, file)
        elif isinstance(schema[key], dict) and not short_form:
            raise ReportError(file, lines.get(where), f"option '{name}' must be a mapping")
        ok = CONFIG_VALUES.get(where)
        if ok and not ok(value):
            raise ReportError(
                file, lines.get(where), f"option '{name}: {value}' is not supported by the embedded renderer"
            )


def _merge(base: dict, over: dict) -> dict:
    """Quarto's merge: the document's options over the project's, mappings merged key by key."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _blocks(lines: list[str], start: int, file: str) -> list[Block]:
    blocks: list[Block] = []
    markdown: list[str] = []
    markdown_line = start + 1
    i = start
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            markdown.append(lines[i])
            i += 1
            continue
        fence = opening["fence"]
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), None)
        if end is None:
            raise ReportError(file, i + 1, f"code block opened with {fence} is never closed")
        if markdown:
            blocks.append(Block("markdown", markdown_line, "\n".join(markdown)))
        engine = ENGINE.match(opening["info"])
        if engine and engine["lang"] == "python" and not engine["rest"].strip():
            blocks.append(_cell(lines[i + 1 : end], i + 1, file))
        elif engine:
            raise ReportError(
                file,
                i + 1,
                f"executable cell {opening['info']} is not supported: the embedded "
                "renderer runs {python} cells, with options as '#| key: value' lines",
            )
        else:
            blocks.append(Block("verbatim", i + 1, "\n".join(lines[i : end + 1])))
        markdown, markdown_line = [], end + 2
        i = end + 1
    if markdown:
        blocks.append(Block("markdown", markdown_line, "\n".join(markdown)))
    return blocks


def _cell(body: list[str], fence_line: int, file: str) -> Block:
    """A ```{python} cell; its leading `#| key: value` lines are its options (YAML)."""
    n = 0
    while n < len(body) and body[n].startswith("#|"):
        n += 1
    option_text = "\n".join(line[2:].removeprefix(" ") for line in body[:n])
    try:
        options = (yaml.safe_load(option_text) or {}) if n else {}
    except yaml.YAMLError as exc:
        raise ReportError(file, fence_line + 1, f"cell options are not valid YAML: {exc}") from None
    if not isinstance(options, dict):
        raise ReportError(file, fence_line + 1, "cell options must be '#| key: value' lines")
    for key, value in options.items():
        line = (
            fence_line
            + 1
            + next((k for k, text in enumerate(body[:n]) if re.match(rf"#\|\s*{re.escape(str(key))}\s*:", text)), 0)
        )
        if key not in CELL_OPTIONS:
            raise ReportError(
                file,
                line,
                f"cell option '{key}' is not supported by the embedded renderer (supported: {', '.join(CELL_OPTIONS)})",
            )
        if not CELL_OPTION_VALUES[key](value):
            raise ReportError(file, line, f"cell option '{key}: {value}' is not supported by the embedded renderer")
    label = options.get("label", "")
    for cap, prefix in (("fig-cap", "fig-"), ("tbl-cap", "tbl-")):
        if cap in options and not label.startswith(prefix):
            raise ReportError(file, fence_line, f"'{cap}' needs a cell label starting with '{prefix}'")
    if label.startswith(("fig-", "tbl-")) and f"{label[:3]}-cap" not in options:
        raise ReportError(file, fence_line, f"cell '{label}' needs a '{label[:3]}-cap' caption")
    return Block("cell", fence_line, "\n".join(body[n:]).strip("\n"), options)


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


def _check_markdown(text: str, first_line: int, file: str) -> None:
    """Refuse Quarto syntax that pandoc alone would print as it stands."""
    for offset, piece, is_code in _segments(text):

        def fail(at: int, message: str, offset: int = offset):
            raise ReportError(file, first_line + text.count("\n", 0, offset + at), message)

        if is_code:
            inner = INLINE_EXPR.match(piece.strip("`").strip())
            if inner and inner["lang"] != "python":
                fail(0, f"inline expression `{{{inner['lang']}}} …` is not supported: only `{{python}} …`")
            continue
        if (bare := DIV_BARE_CLASS.search(piece)) and bare["cls"].startswith(QUARTO_CLASSES + CONDITIONAL_CLASSES):
            fail(
                bare.start(),
                f"'::: {bare['cls']}' is not supported by the embedded renderer (no callouts, "
                "panels or layouts; conditional content needs when-format or unless-format)",
            )
        if (at := piece.find("{{<")) >= 0 or (at := piece.find("{{%")) >= 0:
            fail(at, f"shortcode {piece[at:].split('>}}')[0]}>}}}} is not supported by the embedded renderer")
        for m in ATTRIBUTES.finditer(piece):
            tokens = m["body"].split()
            bad = [t for t in tokens if t.startswith(".") and t[1:].startswith(QUARTO_CLASSES)]
            bad += [t for t in tokens if t.startswith("#") and t[1:].split("-")[0] in XREF_PREFIXES]
            bad += [t for t in tokens if t.split("=")[0].startswith(QUARTO_ATTRIBUTES)]
            if any(t[1:] in CONDITIONAL_CLASSES for t in tokens if t.startswith(".")):
                _check_condition(tokens, lambda message, m=m: fail(m.start(), message))
            if bad:
                fail(
                    m.start(),
                    f"'{bad[0]}' in {{{m['body']}}} is not supported by the embedded renderer "
                    "(no callouts, panels, layouts or markdown cross-reference targets; "
                    "label a {python} cell 'fig-…'/'tbl-…' instead)",
                )


def _check_condition(tokens: list[str], fail) -> None:
    """`.content-visible`/`.content-hidden` on the output format: when-format or unless-format
    naming a format the embedded renderer writes (not Quarto's when-meta, when-profile, …)."""
    pairs = dict(t.split("=", 1) for t in tokens if "=" in t)
    conditions = {key: value.strip("\"'") for key, value in pairs.items() if key.startswith(("when-", "unless-"))}
    for key, value in conditions.items():
        if key not in CONDITIONS:
            fail(f"'{key}' is not supported by the embedded renderer (only {' and '.join(CONDITIONS)})")
        if value not in OUTPUT_SUFFIX:
            fail(f'{key}="{value}": the embedded renderer writes the formats {", ".join(OUTPUT_SUFFIX)}')
    if not conditions:
        fail("conditional content needs when-format or unless-format for the embedded renderer")


def _number_floats(blocks: list[Block], config: dict, file: str) -> dict[str, str]:
    """Number tables and figures in document order; per level-1 section with crossref.chapters,
    as the Typst preamble does, so that "Tabel 1.1" is the same in both outputs."""
    chapters = bool(config.get("crossref", {}).get("chapters"))
    chapter, counts, numbers, labels = 0, {"tbl": 0, "fig": 0}, {}, {}
    for block in blocks:
        if block.kind == "markdown":
            for line in block.text.splitlines():
                heading = HEADING_1.match(line)
                if heading and not re.search(r"\{[^}]*(\.unnumbered|(^|\s)-)[^}]*\}\s*$", heading["text"]):
                    chapter += 1
                    counts = {"tbl": 0, "fig": 0} if chapters else counts
        label = block.options.get("label", "")
        if label and label in labels:
            raise ReportError(file, block.line, f"label '{label}' is used twice (also at line {labels[label]})")
        labels[label] = block.line
        if block.kind == "cell" and label[:4] in ("tbl-", "fig-"):
            counts[label[:3]] += 1
            numbers[label] = f"{chapter}.{counts[label[:3]]}" if chapters else str(counts[label[:3]])
    return numbers


# ---------------------------------------------------------------------------------------------
# 2. execute


def execute(report: Report, reports: Path) -> None:
    """Run the cells and inline expressions in one kernel; store outputs and substituted text."""
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    defaults = {"echo": True, "eval": True, "output": True, "include": True, "warning": True, "error": False}
    defaults |= report.config.get("execute", {})
    notebook = nbformat.v4.new_notebook()
    # Unix sockets rather than TCP ports: nothing listens on the network, and the kernel
    # does not warn about unencrypted TCP.
    sockets = tempfile.TemporaryDirectory(prefix="render-kernel-")
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(reports)}},
        config=Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets.name}/kernel"}}),
    )
    # The debugger's "frozen modules" notice would otherwise land on the terminal.
    env = os.environ | {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    with sockets, client.setup_kernel(env=env):
        for block in report.blocks:
            if block.kind == "cell":
                block.options = defaults | block.options
                if block.options["eval"]:
                    outputs = _run(client, notebook, block.text)
                    _check_errors(outputs, block, report.file)
                    block.outputs = outputs
            elif block.kind == "markdown":
                block.text = _substitute_inline(client, notebook, block, report.file)


def _run(client, notebook, source: str) -> list:
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    notebook.cells.append(cell)
    client.execute_cell(cell, len(notebook.cells) - 1)
    return cell.outputs


def _check_errors(outputs: list, block: Block, file: str) -> None:
    for output in outputs:
        if output.output_type == "error" and not block.options["error"]:
            trace = ANSI.sub("", "\n".join(output.traceback))
            raise ReportError(file, block.line, f"the cell raised {output.ename}: {output.evalue}\n{trace}", "cell")


def _substitute_inline(client, notebook, block: Block, file: str) -> str:
    """Replace each `{python} expr` by its value, as Quarto does: markdown as is, a plain
    value as text with markdown's special characters escaped.

    All expressions of a block run as one cell (a round trip to the kernel per expression
    was a fifth of the render); if that cell fails, they run one by one to name the
    expression at fault."""
    pieces = []
    for offset, piece, is_code in _segments(block.text):
        inner = INLINE_EXPR.match(piece.strip("`").strip()) if is_code else None
        pieces.append((block.line + block.text.count("\n", 0, offset), piece, inner["expr"] if inner else None))
    exprs = [expr for _, _, expr in pieces if expr is not None]
    if not exprs:
        return block.text
    values = _inline_values(client, notebook, exprs)
    if values is None:  # something failed: find out which, with its own error
        values = [_inline_value(client, notebook, expr, line, file) for line, _, expr in pieces if expr is not None]
    parts, found = [], iter(values)
    for line, piece, expr in pieces:
        if expr is None:
            parts.append(piece)
            continue
        data = next(found)
        if "text/markdown" in data:
            parts.append(data["text/markdown"])
        elif "text/plain" in data:
            parts.append(_plain_inline(data["text/plain"]))
        else:
            raise ReportError(file, line, f"inline expression `{expr}` has no text or markdown value")
    return "".join(parts)


INLINE_KEY = "noegletal-inline"


def _inline_values(client, notebook, exprs: list[str]) -> list[dict] | None:
    """The display data of each expression, evaluated in order in one cell; None if any fails."""
    source = "\n".join(
        f"__import__('IPython').display.display(({expr}), metadata={{{INLINE_KEY!r}: {n}}})"
        for n, expr in enumerate(exprs)
    )
    outputs = _run(client, notebook, source)
    if any(o.output_type == "error" for o in outputs):
        return None
    values: list[dict] = [{} for _ in exprs]
    for o in outputs:
        if o.output_type == "display_data" and INLINE_KEY in o.get("metadata", {}):
            values[o.metadata[INLINE_KEY]] = o.data
    return values


def _inline_value(client, notebook, expr: str, line: int, file: str) -> dict:
    outputs = _run(client, notebook, f"__import__('IPython').display.display(({expr}))")
    errors = [o for o in outputs if o.output_type == "error"]
    if errors:
        raise ReportError(
            file, line, f"inline expression `{expr}` raised {errors[0].ename}: {errors[0].evalue}", "cell"
        )
    return next((o.data for o in outputs if o.output_type == "display_data"), {})


def _plain_inline(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = ast.literal_eval(text)  # a str's repr: show the string itself, not its quotes
        # every character pandoc's markdown may read as markup: also $ (TeX math), ~ and ^
        # (sub- and superscript) and & (an entity)
        return re.sub(r"([\\`*_{}\[\]()>#+\-.!<@|$~^&])", r"\\\1", text)
    return text


# ---------------------------------------------------------------------------------------------
# 3. markdown, one version per format


def to_markdown(report: Report, fmt: str, workdir: Path) -> str:
    names = FLOAT_NAMES[str(report.config.get("lang", "en")).split("-")[0]]
    delim = report.config.get("crossref", {}).get("title-delim", ":")
    plotly = {"included": False}  # plotly.js goes inline once, with the first plotly output
    captions = _typst_captions(report) if fmt == "typst" else {}
    parts = []
    for block in report.blocks:
        if block.kind == "verbatim":
            parts.append(block.text)
        elif block.kind == "markdown":
            parts.append(_resolve_xrefs(block.text, block.line, report.file, report.floats, report.config, fmt))
        elif block.options["include"]:
            parts.extend(_cell_markdown(block, report, fmt, workdir, names, delim, plotly, captions))
    return "\n\n".join(parts) + "\n"


def _typst_captions(report: Report) -> dict[str, str]:
    """Every float's caption in Typst markup, from one pandoc run over all of them (a run
    per caption costs more than the rest of the conversion); one run per caption only if
    a caption spans paragraphs and the joined output cannot be split back."""
    import pypandoc

    captions = {
        block.options["label"]: block.options[f"{block.options['label'][:3]}-cap"]
        for block in report.blocks
        if block.kind == "cell" and block.options.get("label", "") in report.floats
    }
    if not captions:
        return {}
    converted = pypandoc.convert_text("\n\n".join(captions.values()), "typst", format="markdown").strip().split("\n\n")
    if len(converted) != len(captions) or any("\n\n" in c.strip() for c in captions.values()):
        converted = [pypandoc.convert_text(c, "typst", format="markdown").strip() for c in captions.values()]
    return dict(zip(captions, converted))


def _resolve_xrefs(text: str, first_line: int, file: str, floats: dict, config: dict, fmt: str) -> str:
    """@tbl-x / [@tbl-x] -> "Tabel 1.1", a link in HTML and Word and a Typst reference in the PDF."""
    names = FLOAT_NAMES[str(config.get("lang", "en")).split("-")[0]]
    out = []
    for offset, piece, is_code in _segments(text):
        if is_code:
            out.append(piece)
            continue

        def replace(m, offset: int = offset):
            key, minus = m["key1"] or m["key2"], m["minus1"] or m["minus2"]
            line = first_line + text.count("\n", 0, offset + m.start())
            if key.split("-")[0] not in ("tbl", "fig") or "-" not in key:
                raise ReportError(
                    file,
                    line,
                    f"@{key}: citations and cross-references other than @tbl-… and "
                    "@fig-… are not supported by the embedded renderer (write \\@ for a literal @)",
                )
            if minus:
                raise ReportError(file, line, f"-@{key} (number only) is not supported by the embedded renderer")
            if key not in floats:
                known = ", ".join(floats) or "none"
                raise ReportError(file, line, f"@{key} refers to no labelled table or figure cell (labels: {known})")
            if fmt == "typst":
                return f"`#ref(<{key}>)`{{=typst}}"
            return f"[{names[key[:3]]}&nbsp;{floats[key]}](#{key})"  # a link to the float's id (Word: its bookmark)

        out.append(XREF.sub(replace, piece))
    return "".join(out)


def _cell_markdown(
    block: Block,
    report: Report,
    fmt: str,
    workdir: Path,
    names: dict,
    delim: str,
    plotly: dict,
    captions: dict[str, str],
) -> list[str]:
    parts = []
    if block.options["echo"]:
        parts.append(_fenced(block.text, ".python .cell-code"))
    if block.options["output"]:
        for n, output in enumerate(block.outputs):
            shown = _output_markdown(output, block, report, fmt, workdir, n, plotly)
            if shown is not None:
                parts.append(shown)
    label = block.options.get("label", "")
    if label in report.floats:
        if not parts:
            raise ReportError(report.file, block.line, f"cell '{label}' shows nothing to put in the {names[label[:3]]}")
        caption = captions[label] if fmt == "typst" else block.options[f"{label[:3]}-cap"]
        number = f"{names[label[:3]]} {report.floats[label]}"
        return [_float(fmt, label, number, delim, caption, parts)]
    if label:
        return [f"::: {{#{label}}}\n\n" + "\n\n".join(parts) + "\n\n:::"] if parts else []
    return parts


def _output_markdown(output, block: Block, report: Report, fmt: str, workdir: Path, n: int, plotly: dict):
    kind = output.output_type
    if kind == "stream":
        if output.name == "stderr" and not block.options["warning"]:
            return None  # `warning: false`: Python's warnings go to stderr
        if block.options["output"] == "asis" and output.name == "stdout":
            return _resolve_xrefs(output.text, block.line, report.file, report.floats, report.config, fmt)
        return _fenced(output.text.rstrip("\n"), f".cell-output .cell-output-{output.name}")
    if kind == "error":  # only with `error: true`
        return _fenced(ANSI.sub("", "\n".join(output.traceback)), ".cell-output .cell-output-error")
    data = output.data
    mime = next((m for m in MIME_ORDER[fmt] if m in data), None)
    if fmt != "html" and "application/vnd.plotly.v1+json" in data and mime in ("text/markdown", "text/plain"):
        raise ReportError(
            report.file,
            block.line,
            f"a plotly figure has no static image for the {fmt} output: display "
            "one too (image/svg+xml or image/png, e.g. via kaleido) or emit raw blocks per format",
        )
    if mime is None:
        return None
    value = data[mime]
    if mime == "text/markdown" or (mime == "text/plain" and block.options["output"] == "asis"):
        _check_markdown(value, block.line, report.file)
        return _resolve_xrefs(value, block.line, report.file, report.floats, report.config, fmt)
    if mime == "text/plain":
        return _fenced(value, ".cell-output .cell-output-display")
    if mime == "text/html":
        return _raw("html", value)
    if mime == "application/vnd.plotly.v1+json":
        import plotly.io as pio

        div_id = f"{block.options.get('label') or f'cell-{block.line}'}-plotly-{n}"
        html = pio.to_html(value, include_plotlyjs=False, full_html=False, div_id=div_id)
        try:
            check_traces(div_id, html)
        except AssetError as exc:
            raise ReportError(report.file, block.line, str(exc)) from None
        if not plotly["included"]:  # the vendored partial bundle, once
            html = f'<script charset="utf-8" type="text/javascript">{plotlyjs()}</script>\n' + html
        plotly["included"] = True
        return _raw("html", html)
    return _image(fmt, mime, value, workdir, f"{block.options.get('label') or f'cell-{block.line}'}-{n}")


PLOTLYJS_TOKEN = "/* noegletal: plotly.js is inserted here after pandoc */"


def _defer_plotlyjs(html: str) -> str:
    """plotly.js (1,2 MB) joins the page after pandoc: reading it costs pandoc seconds."""
    return html.replace(plotlyjs(), PLOTLYJS_TOKEN) if "plotly" in html else html


def _image(fmt: str, mime: str, value: str, workdir: Path, stem: str) -> str:
    """An image output: inline (a data URI) in HTML; a file in the work directory for Typst,
    whose paths are relative to reports/, the Typst root."""
    svg = mime == "image/svg+xml"
    if fmt == "html":
        encoded = base64.b64encode(value.encode("utf-8")).decode() if svg else value.replace("\n", "")
        return _raw("html", f'<img class="cell-output-image" src="data:{mime};base64,{encoded}" alt="">')
    name = f"{stem}.{'svg' if svg else mime.split('/')[1]}"
    (workdir / name).write_bytes(value.encode("utf-8") if svg else base64.b64decode(value))
    if fmt == "docx":  # pandoc sizes it by the resolution the file records; found in the work directory
        return f"![]({name})"
    return _raw("typst", f'#image("{workdir.name}/{name}", width: 100%)')


def _float(fmt: str, label: str, number: str, delim: str, caption: str, parts: list[str]) -> str:
    """A numbered table or figure. Tables have their caption above, figures below."""
    content = "\n\n".join(parts)
    kind = label[:3]
    if fmt == "html":
        cap = "\n\n".join([_raw("html", "<figcaption>"), f"{number}{delim} {caption}", _raw("html", "</figcaption>")])
        inner = [cap, content] if kind == "tbl" else [content, cap]
        return "\n\n".join(
            [
                _raw("html", f'<figure id="{label}" class="quarto-float quarto-float-{kind}">'),
                *inner,
                _raw("html", "</figure>"),
            ]
        )
    if fmt == "docx":
        # a bookmark (the div's id) for the cross-references; Word's caption styles, the
        # table's caption kept with the table
        style = "Table Caption" if kind == "tbl" else "Image Caption"
        cap = f'::: {{custom-style="{style}"}}\n{number}{delim} {caption}\n:::'
        inner = [cap, content] if kind == "tbl" else [content, cap]
        return f"::::: {{#{label}}}\n\n" + "\n\n".join(inner) + "\n\n:::::"
    # the caption is Typst markup already (_typst_captions)
    typst_kind = "table" if kind == "tbl" else "image"
    return "\n\n".join(
        [_raw("typst", f"#figure(kind: {typst_kind}, caption: [{caption}])["), content, _raw("typst", f"] <{label}>")]
    )


def _fence_for(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _raw(fmt: str, text: str) -> str:
    fence = _fence_for(text)
    return f"{fence}{{={fmt}}}\n{text}\n{fence}"


def _fenced(text: str, classes: str) -> str:
    fence = _fence_for(text)
    return f"{fence} {{{classes}}}\n{text}\n{fence}"


# ---------------------------------------------------------------------------------------------
# 4. convert

HTML_TEMPLATE = Path(__file__).with_name("report_template.html")
PANDOC_FILTER = Path(__file__).with_name("report_filters.lua")
THEME_TOKEN = "#noegletal-theme-css{display:none}"  # in the template; the theme's CSS replaces it after pandoc
TOC_TITLES = {"da": "Indholdsfortegnelse", "en": "Table of contents"}
# Quarto's article layout on Bootstrap: a text column wide enough for the 900 px charts, the
# table of contents floating beside it on a wide screen, folded under the title on a narrow one
# (a checkbox opens it: no script needed), an anchor link shown beside each heading.
HTML_CSS = """
#quarto-content { max-width: 1240px; margin: 0 auto; padding: 1.5rem 1rem 4rem; display: grid;
  grid-template-columns: minmax(0, 1fr); grid-template-areas: "title" "toc" "main"; }
#title-block-header { grid-area: title; margin-bottom: 1.5rem; }
#title-block-header .title { font-size: clamp(1.6rem, 5vw, 2.25rem); font-weight: 600; margin-bottom: .5rem; }
#TOC { grid-area: toc; margin-bottom: 1.5rem; }
main.content { grid-area: main; min-width: 0; }
.toc-toggle { position: absolute; opacity: 0; width: 1px; height: 1px; }
.toc-title { display: block; font-weight: 600; cursor: pointer; margin-bottom: .5rem; }
.toc-title::before { content: "\\25B8"; display: inline-block; width: 1.1em; transition: transform .15s; }
.toc-toggle:checked + .toc-title::before { transform: rotate(90deg); }
.toc-toggle:focus-visible + .toc-title { outline: 2px solid var(--bs-primary); }
.toc-body { display: none; }
.toc-toggle:checked ~ .toc-body { display: block; }
#TOC ul { list-style: none; margin: 0; padding-left: .75rem; }
#TOC .toc-body > ul { border-left: 1px solid var(--bs-border-color); }
#TOC a { display: block; padding: .2rem 0; font-size: .875rem; color: var(--bs-secondary-color); text-decoration: none; }
#TOC a:hover { color: var(--bs-link-color); }
@media (min-width: 992px) {
  #quarto-content { grid-template-columns: minmax(0, 57rem) 15rem; column-gap: 3rem; justify-content: center;
    grid-template-areas: "title toc" "main toc"; }
  #quarto-content.toc-left { grid-template-columns: 15rem minmax(0, 57rem); grid-template-areas: "toc title" "toc main"; }
  #TOC { position: sticky; top: 1.5rem; align-self: start; max-height: calc(100vh - 3rem); overflow-y: auto; }
  .toc-title { cursor: default; font-size: .95rem; }
  .toc-title::before { display: none; }
  .toc-body { display: block; }
}
main.content h1, main.content h2 { margin-top: 2.5rem; padding-bottom: .5rem; border-bottom: 1px solid var(--bs-border-color); }
main.content h1 { font-size: 1.75rem; }
main.content h2 { font-size: 1.5rem; }
main.content h3 { font-size: 1.25rem; margin-top: 2rem; }
.anchorjs-link { margin-left: .4em; font-weight: 400; color: var(--bs-secondary-color); text-decoration: none; opacity: 0; }
:is(h1, h2, h3, h4, h5, h6):hover > .anchorjs-link, .anchorjs-link:focus { opacity: 1; }
@media (hover: none) { .anchorjs-link { opacity: .5; } }
figure.quarto-float { margin: 1.75rem 0; overflow-x: auto; }  /* a wide table or chart scrolls on a phone */
figure.quarto-float figcaption { font-weight: 600; margin: .4rem 0 .6rem; }
figure.quarto-float table { font-variant-numeric: tabular-nums; }
figure.quarto-float .float-note { font-size: .85rem; color: var(--bs-secondary-color); margin: .4rem 0; }
main.content img { max-width: 100%; height: auto; }
"""

TYPST_PREAMBLE = """
// Only captioned floats are numbered: pandoc puts every table in a figure of its own.
#show figure.where(caption: none): set figure(numbering: none)
#show figure: set align(start)
#show figure.caption: set align(start)
#show figure.caption: set text(weight: "semibold")
// long tables may continue on the next page
#show figure: set block(breakable: true)
#set figure.caption(separator: [DELIM ])
"""

TYPST_CHAPTERS = """
// crossref.chapters: tables and figures numbered per level-1 section, "Tabel 1.1".
#show heading.where(level: 1): it => {
  counter(figure.where(kind: table)).update(0)
  counter(figure.where(kind: image)).update(0)
  it
}
#set figure(numbering: n => numbering("1.1", counter(heading).get().first(), n))
"""


def _format_options(report: Report, fmt: str) -> dict:
    options = report.config.get("format", {}).get(fmt)
    return options if isinstance(options, dict) else {}  # `html: default`


def _pandoc_args(report: Report, fmt: str, workdir: Path) -> list[str]:
    options = _format_options(report, fmt)
    keys = ("title", "subtitle", "author", "lang")
    meta = {k: report.config[k] for k in keys if k in report.config}
    meta |= {k: v for k, v in options.items() if k in ("papersize", "margin", "fontsize")}
    meta_file = workdir / f"metadata-{fmt}.yaml"
    meta_file.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    # --preserve-tabs: pandoc would otherwise turn tabs in raw blocks (plotly.js) into spaces.
    args = ["--standalone", "--preserve-tabs", f"--metadata-file={meta_file}", f"--lua-filter={PANDOC_FILTER}"]
    if report.config.get("number-sections"):
        args.append("--number-sections")
    if options.get("toc", report.config.get("toc")):
        args.append("--toc")
    return args


HEADING_WITH_ID = re.compile(r'(<h([1-6])\b[^>]*\bid="([^"]+)"[^>]*>)(.*?)(</h\2>)', re.S)


def _add_anchors(html: str) -> str:
    """Quarto's anchor-sections: a link to each section beside its heading (in the document,
    not in the table of contents, which pandoc builds from the headings)."""
    head, sep, body = html.partition('<main id="quarto-document-content"')
    return (
        head
        + sep
        + HEADING_WITH_ID.sub(
            lambda m: (
                f'{m[1]}{m[4]} <a class="anchorjs-link" href="#{m[3]}" aria-label="Link til dette afsnit">#</a>{m[5]}'
            ),
            body,
        )
    )


def to_html(markdown: str, report: Report, reports: Path, workdir: Path) -> bytes:
    import pypandoc

    options = _format_options(report, "html")
    css = workdir / "report.css"
    css.write_text(HTML_CSS, encoding="utf-8")
    lang = str(report.config.get("lang", "en")).split("-")[0]
    args = _pandoc_args(report, "html", workdir) + [
        "--embed-resources",
        f"--css={css}",
        f"--template={HTML_TEMPLATE}",
        f"--resource-path={reports}",
        f"--variable=toc-title:{TOC_TITLES[lang]}",
        f"--variable=toc-location:{options.get('toc-location', 'right')}",
    ]
    html = pypandoc.convert_text(_defer_plotlyjs(markdown), "html5", format="markdown", extra_args=args)
    # Quarto's default theme is Bootstrap; Cosmo (`theme: cosmo`) is the one vendored.
    html = _add_anchors(html).replace(THEME_TOKEN, theme_css(options.get("theme", "cosmo")), 1)
    return html.replace(PLOTLYJS_TOKEN, plotlyjs(), 1).encode("utf-8")


def to_pdf(markdown: str, report: Report, reports: Path, workdir: Path) -> bytes:
    import pypandoc
    import typst

    preamble = TYPST_PREAMBLE.replace("DELIM", report.config.get("crossref", {}).get("title-delim", ":"))
    if report.config.get("crossref", {}).get("chapters"):
        preamble += TYPST_CHAPTERS
    header = workdir / "preamble.typ"
    header.write_text(preamble, encoding="utf-8")
    args = _pandoc_args(report, "typst", workdir) + [f"--include-in-header={header}"]
    source = pypandoc.convert_text(markdown, "typst", format="markdown", extra_args=args).encode("utf-8")
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH))
    # The fonts that ship with typst, plus the charts' font (Liberation Sans, from Debian's
    # fonts-liberation) for the text in their SVGs; no other machine font can change the PDF.
    fonts = [str(d) for d in CHART_FONT_DIRS if d.is_dir()]
    # Given as bytes, the source's relative paths resolve against the root: reports/, as in the .qmd.
    return typst.compile(
        source, root=str(reports), format="pdf", timestamp=epoch, ignore_system_fonts=True, font_paths=fonts
    )


DATA_URI_IMAGE = re.compile(r"\]\(data:image/(?P<type>png|jpeg);base64,(?P<data>[A-Za-z0-9+/=\s]+)\)")


def _image_file(m: re.Match, workdir: Path) -> str:
    """An image given as a data URI, as a file: pandoc's Word writer would otherwise copy the
    whole URI into the picture's description as well."""
    data = base64.b64decode(m["data"])
    name = f"image-{hashlib.sha256(data).hexdigest()[:16]}.{m['type']}"
    (workdir / name).write_bytes(data)
    return f"]({name})"  # in the work directory, pandoc's first resource path (the name is also in the file)


def to_docx(markdown: str, report: Report, reports: Path, workdir: Path) -> bytes:
    """Word, through pandoc with the reference document's styles. pandoc dates the document
    and its zip entries by SOURCE_DATE_EPOCH, so the bytes are the same on every run."""
    import pypandoc

    # images by their own names in the work directory, whose random name must not reach the file
    args = _pandoc_args(report, "docx", workdir) + [f"--resource-path={workdir}{os.pathsep}{reports}"]
    if reference := _format_options(report, "docx").get("reference-doc"):
        if not (reports / reference).is_file():  # paths in _quarto.yml are relative to reports/
            raise ReportError(
                str(Path(report.file).with_name(PROJECT_FILE)),
                None,
                f"format.docx.reference-doc: {reference} is not a file in reports/",
            )
        args.append(f"--reference-doc={reports / reference}")
    markdown = DATA_URI_IMAGE.sub(lambda m: _image_file(m, workdir), markdown)
    target = workdir / "report.docx"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", str(DEFAULT_SOURCE_DATE_EPOCH))
    done = subprocess.run(
        [pypandoc.get_pandoc_path(), "--from=markdown", "--to=docx", f"--output={target}", *args],
        input=markdown.encode("utf-8"),
        cwd=reports,
        capture_output=True,
        env=os.environ | {"SOURCE_DATE_EPOCH": epoch},
    )
    if done.returncode != 0:
        raise ReportError(
            report.file,
            None,
            "pandoc could not write the Word document: " + done.stderr.decode("utf-8", "replace").strip(),
        )
    return target.read_bytes()


# ---------------------------------------------------------------------------------------------


def formats(report: Report) -> list[str]:
    chosen = list(report.config.get("format", {}) or {"html": None})
    for fmt in chosen:
        if fmt not in OUTPUT_SUFFIX:
            raise ReportError(
                report.file,
                None,
                f"format '{fmt}' is not supported by the embedded renderer (supported: {', '.join(OUTPUT_SUFFIX)})",
            )
    return chosen


def render_embedded(paths: Paths) -> dict[str, float]:
    """Render without the Quarto CLI; returns the seconds each step took."""
    reports = paths.root / "reports"
    timings, started = {}, time.perf_counter()

    def lap(name):
        nonlocal started
        timings[name] = time.perf_counter() - started
        started = time.perf_counter()

    report = parse(reports, paths)
    targets = formats(report)
    output_dir = reports / report.config.get("project", {}).get("output-dir", ".")
    lap("parse")
    execute(report, reports)
    lap("execute")
    # Scratch files (images for Typst, CSS, metadata) in reports/, so that Typst, whose root
    # that is, reads the images; removed at the end, like Quarto's noegletal_files/.
    with tempfile.TemporaryDirectory(prefix=".render-", dir=reports) as tmp, staged_outputs() as out:
        workdir = Path(tmp)
        markdown = {fmt: to_markdown(report, fmt, workdir) for fmt in targets}
        lap("markdown")
        # The formats convert side by side: pandoc runs as its own process and typst
        # compiles in Rust, so both cores work.
        convert = {"html": to_html, "typst": to_pdf, "docx": to_docx}
        with ThreadPoolExecutor(max_workers=len(targets) or 1) as pool:
            done = {fmt: pool.submit(convert[fmt], markdown[fmt], report, reports, workdir) for fmt in targets}
            for fmt in targets:
                out.path(output_dir / (Path(REPORT).stem + OUTPUT_SUFFIX[fmt])).write_bytes(done[fmt].result())
        lap("convert")
    return timings


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    if shutil.which("quarto"):
        env = os.environ | {"QUARTO_PYTHON": sys.executable}
        subprocess.run(["quarto", "render", str(paths.root / "reports")], check=True, env=env)
        return
    timings = render_embedded(paths)
    print("render: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()))


if __name__ == "__main__":
    stage_main(run, "render")
