"""Step 4, convert: pandoc to standalone HTML with every resource embedded; pandoc to Typst and
the typst compiler to PDF; pandoc to Word with the reference document's styles. The bytes are
the same on every run."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
from pathlib import Path

import yaml

from pipeline.assets import plotlyjs, theme_css
from pipeline.render.document import PROJECT_FILE, Report, ReportError
from pipeline.render.markdown import PLOTLYJS_TOKEN, _defer_plotlyjs

# A PDF records its creation date; without SOURCE_DATE_EPOCH the Unix epoch keeps it fixed.
DEFAULT_SOURCE_DATE_EPOCH = 0
CHART_FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"),)


HTML_TEMPLATE = Path(__file__).parent.parent / "report_template.html"
PANDOC_FILTER = Path(__file__).parent.parent / "report_filters.lua"
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
