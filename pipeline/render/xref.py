"""Cross-references: @tbl-x and [@tbl-x] as "Tabel 1.1", a link in HTML and Word and a Typst
reference in the PDF; checked once at parse time, resolved once per format."""

from __future__ import annotations

from pipeline.render.document import FLOAT_NAMES, XREF, ReportError, _segments


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
