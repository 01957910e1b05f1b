"""Step 1, parse: the .qmd's YAML front matter merged over _quarto.yml, its markdown and its
```{python} cells with their `#| ` options, against the subset of Quarto the embedded renderer
supports (reports/README.md). Anything outside the subset fails here, naming file and line."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pipeline.assets import THEME_CSS
from pipeline.errors import NotUtf8, utf8_text
from pipeline.paths import Paths
from pipeline.render.document import (
    ATTRIBUTES,
    DIV_BARE_CLASS,
    ENGINE,
    FENCE,
    FLOAT_NAMES,
    HEADING_1,
    INLINE_EXPR,
    OUTPUT_SUFFIX,
    PROJECT_FILE,
    REPORT,
    Block,
    Report,
    ReportError,
    _segments,
)
from pipeline.render.xref import _resolve_xrefs


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


# Div classes and attributes that mean something to Quarto but not to pandoc.
QUARTO_CLASSES = ("callout", "panel-", "column-", "cell", "quarto-")
# Quarto's conditional content, on the output format only (pipeline/report_filters.lua).
CONDITIONAL_CLASSES = ("content-visible", "content-hidden")
CONDITIONS = ("when-format", "unless-format")
QUARTO_ATTRIBUTES = ("layout",)
# Quarto's cross-reference prefixes; `sec-` ids are plain pandoc ids and allowed.
XREF_PREFIXES = ("fig", "tbl", "eq", "lst", "thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr", "sol", "rem")


def read_text(path: Path, file: str) -> str:
    """A source of the report as text; bytes that are not UTF-8 are refused with the line and
    column where they start."""
    try:
        return utf8_text(path.read_bytes())
    except NotUtf8 as bad:
        raise ReportError(file, bad.line, f"the byte at column {bad.column} is not UTF-8 text") from None


def parse(reports: Path, paths: Paths) -> Report:
    qmd = reports / REPORT
    file = paths.relative(qmd)
    lines = read_text(qmd, file).splitlines()
    front, body_start = _front_matter(lines, file)
    project = reports / PROJECT_FILE
    base = (
        _load_config(read_text(project, paths.relative(project)), 1, paths.relative(project))
        if project.exists()
        else {}
    )
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
