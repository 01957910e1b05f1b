"""Step 2, execute: every cell and every inline `{python} expr` in document order in one Jupyter
kernel (nbclient + ipykernel), working directory reports/, as Quarto does."""

from __future__ import annotations

import ast
import os
import re
import tempfile
from pathlib import Path

from pipeline.render.document import ANSI, INLINE_EXPR, Block, Report, ReportError, _segments

CELL_TIMEOUT_S = 600


def execute(report: Report, reports: Path, env: dict[str, str] | None = None) -> None:
    """Run the cells and inline expressions in one kernel; store outputs and substituted text.
    `env`: variables for the kernel besides this process's."""
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
    env = os.environ | {"PYDEVD_DISABLE_FILE_VALIDATION": "1"} | (env or {})
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


# Errors whose message already names the parameter or file at fault (pipeline/params.py,
# pipeline/errors.py): a traceback would only hide it.
SAID_IN_ONE_LINE = frozenset({"ParamsError", "InputError", "SystemExit"})


def _check_errors(outputs: list, block: Block, file: str) -> None:
    for output in outputs:
        if output.output_type == "error" and not block.options["error"]:
            if output.ename in SAID_IN_ONE_LINE:  # the project's own errors name the input at fault
                raise ReportError(file, block.line, output.evalue, "cell")
            trace = ANSI.sub("", "\n".join(output.traceback))
            raise ReportError(file, block.line, f"the cell raised {output.ename}: {output.evalue}", "cell", trace)


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
