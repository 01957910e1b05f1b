"""The report's Word and HTML outputs as their readers open them: LibreOffice converts the Word
file to PDF and pdftotext reads Tables 1.1–1.3 back; headless Chromium shows the HTML at a
desktop's and a phone's width with the network off. Screenshots and the converted PDF are
kept in tests/artifacts/ (git-ignored). And the pieces behind them: the vendored web assets,
the reference document, the options the embedded renderer now accepts."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from pipeline import assets, print_image, render

from conftest import REPO
from test_report import chromium, output, write_report

ARTIFACTS = REPO / "tests" / "artifacts"
MAX_HTML_BYTES = 2_000_000
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EMU_PER_CM = 360_000


def table_cells(paths) -> dict[str, list[str]]:
    """Every printed cell and header of Tables 1.1–1.3, from the tables stage's JSON."""
    cells = {}
    for path in sorted(paths.tables.glob("table_1_*.json")):
        table = json.loads(path.read_text(encoding="utf-8"))
        cells[table["table_id"]] = [c for row in table["rows"] for c in row if c] + [h for h in table["header"] if h]
    assert sorted(cells) == ["1.1", "1.2", "1.3"]
    return cells


def found(value: str, text: str) -> bool:
    """The value in text a word processor laid out: a line may break at a space or after a dash."""
    pattern = "".join(r"\s+" if ch == " " else re.escape(ch) + (r"\s*" if ch in "–-/" else "") for ch in value)
    return re.search(rf"(?<![\d.,]){pattern}(?![\d])", text) is not None


def keep(path: Path, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return Path(shutil.copy2(path, ARTIFACTS / name))


# --- Word -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_word_report_opens_in_libreoffice_with_the_tables(report, tmp_path):
    docx = output(report, ".docx")
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / "noegletal.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    keep(pdf, "noegletal-docx.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for table_id, cells in table_cells(report).items():
        missing = [c for c in cells if not found(c, text)]
        assert not missing, f"Tabel {table_id}: {missing}"
    for letter in "æøå":
        assert letter in text
    flowing = re.sub(r"\s+", " ", text)
    assert "Tabel 1.1: Antallet af rocker-/bandemedlemmer i Danmark" in flowing
    assert "Tabel 1.3 viser" in flowing and "Figur 1.2" in flowing  # cross-references as text


@pytest.mark.slow
def test_word_tables_captions_and_charts(report):
    """Real Word tables with the numbers right-aligned, caption above and notes under them in
    the reference document's styles; each chart a 300-dpi PNG at the text width."""
    with zipfile.ZipFile(output(report, ".docx")) as docx:
        body = ElementTree.fromstring(docx.read("word/document.xml")).find(f"{W}body")
        media = {n: docx.read(n) for n in docx.namelist() if n.startswith("word/media/")}
        styles = docx.read("word/styles.xml").decode("utf-8")
    blocks = list(body)

    def style(el):
        found_style = el.find(f"{W}pPr/{W}pStyle")
        return found_style.get(f"{W}val") if found_style is not None else None

    def text(el):
        return "".join(t.text or "" for t in el.iter(f"{W}t"))

    tables = [i for i, el in enumerate(blocks) if el.tag == f"{W}tbl"]
    captions = {text(blocks[i - 1]).split(":")[0]: i for i in tables if style(blocks[i - 1]) == "TableCaption"}
    for table_id in table_cells(report):
        i = captions[f"Tabel {table_id}"]
        number_cells = [
            p for p in blocks[i].iter(f"{W}p") if re.fullmatch(r"[\d.,()* –-]+", text(p)) and re.search(r"\d", text(p))
        ]
        assert number_cells, table_id
        for p in number_cells:
            jc = p.find(f"{W}pPr/{W}jc")
            assert jc is not None and jc.get(f"{W}val") == "right", (table_id, text(p))
        assert style(blocks[i + 1]) == "TableNote" and text(blocks[i + 1]).startswith(("Note", "Kilde"))
    assert 'w:styleId="TableNote"' in styles and 'w:val="da' in styles

    figures = [el for el in blocks if any(True for _ in el.iter(f"{W}drawing"))]
    assert len(figures) == len(media) >= 6
    for png in media.values():
        width, _ = print_image.png_size(png)
        assert abs(width - print_image.TEXT_WIDTH_CM / 2.54 * 300) <= 1
        assert round(print_image.png_dpi(png)) == 300
    for figure in figures:
        extent = next(figure.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"))
        assert abs(int(extent.get("cx")) / EMU_PER_CM - print_image.TEXT_WIDTH_CM) < 0.05


# --- HTML -------------------------------------------------------------------------------------

PROBE = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const toc = document.querySelector("#TOC .toc-body"), main = document.querySelector("main.content");
  const r = toc.getBoundingClientRect(), m = main.getBoundingClientRect();
  const headings = [...main.querySelectorAll("h1[id], h2[id]")];
  parent.postMessage(JSON.stringify({
    width: innerWidth, tocDisplay: getComputedStyle(toc).display, toc: [r.left, r.top, r.width, r.height],
    tocLinks: toc.querySelectorAll("a").length, toggle: getComputedStyle(document.querySelector(".toc-title")).display,
    main: [m.left, m.right], pageWidth: document.documentElement.scrollWidth,
    font: getComputedStyle(document.body).fontFamily, headings: headings.length,
    anchors: headings.filter(h => h.querySelector(`a.anchorjs-link[href="#${h.id}"]`)).length,
    paragraphs: Math.max(...[...main.querySelectorAll("p")].map(p => p.getBoundingClientRect().right)),
    charts: [...document.querySelectorAll(".plotly-graph-div")].map(gd => ({id: gd.id, traces: gd.data.length,
      drawn: gd._fullData.filter(t => t.visible !== false).length, svg: !!gd.querySelector(".main-svg"),
      modebar: !!gd.querySelector(".modebar")}))}), "*");
}, 500));
</script>"""


def probe(page: Path, width: int, tmp_path: Path) -> dict:
    """Lay the page out in a frame exactly `width` px wide (a headless window is at least
    500 px wide) and read what the reader sees from inside it."""
    copy = tmp_path / f"probe-{width}.html"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    frame = tmp_path / f"frame-{width}.html"
    frame.write_text(
        f"""<!DOCTYPE html><html><body style="margin:0">
<iframe src="{copy.name}" style="width:{width}px;height:900px;border:0"></iframe><pre id="probe"></pre>
<script>addEventListener("message", e => document.getElementById("probe").textContent = e.data);</script>
</body></html>""",
        encoding="utf-8",
    )
    result = chromium(frame, tmp_path, "--dump-dom", "--window-size=1400,1000")
    assert result.returncode == 0, result.stderr
    data = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert data and data[1], "the probe did not report"
    return json.loads(data[1].replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
def test_html_report_at_desktop_and_phone_width(report, tmp_path, width):
    page = output(report, ".html")
    assert page.stat().st_size <= MAX_HTML_BYTES

    shown = chromium(page, tmp_path, "--dump-dom", f"--window-size={width},900")  # the page itself, no probe
    assert shown.returncode == 0, shown.stderr
    console = [line for line in shown.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], "JavaScript errors or network requests:\n" + "\n".join(console)
    screenshot = tmp_path / f"noegletal-{width}.png"
    shot = chromium(page, tmp_path, "--hide-scrollbars", f"--window-size={width},3000", f"--screenshot={screenshot}")
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr
    assert struct.unpack(">I", screenshot.read_bytes()[16:20])[0] == width
    keep(screenshot, screenshot.name)

    seen = probe(page, width, tmp_path)
    assert seen["width"] == width
    assert "sans-serif" in seen["font"] and "serif" not in seen["font"].replace("sans-serif", "")
    assert seen["headings"] >= 10 and seen["anchors"] == seen["headings"]  # an anchor beside every heading
    assert seen["pageWidth"] <= width  # wide tables and charts scroll in their own box, not the page
    assert seen["paragraphs"] <= width
    assert len(seen["charts"]) >= 6
    for chart in seen["charts"]:  # every trace drawn by the partial bundle, the chart interactive
        assert chart["svg"] and chart["modebar"] and chart["drawn"] == chart["traces"] > 0, chart
    if width >= 992:  # the table of contents floats beside the text, in the first screen
        assert seen["tocDisplay"] != "none" and seen["tocLinks"] >= seen["headings"]
        left, top, toc_width, height = seen["toc"]
        assert left >= seen["main"][1] and left + toc_width <= width and top < 900 and height > 0
    else:  # folded under the title, opened by its label
        assert seen["tocDisplay"] == "none" and seen["toggle"] != "none"


@pytest.mark.slow
def test_html_report_inlines_every_asset(report):
    text = output(report, ".html").read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= MAX_HTML_BYTES
    assert "Bootswatch v5.3.8" in text and "Theme: cosmo" in text
    assert text.count(assets.plotlyjs()) == 1
    assert "googleapis" not in text and "sourceMappingURL" not in text
    markup = re.sub(r"<script.*?</script>", "", text, flags=re.S)  # plotly.js holds a link it never shows
    assert not re.search(r"(src|href)=\"https?:|url\(https?:|@import", markup)


# --- the pieces -------------------------------------------------------------------------------


def test_vendored_assets_are_the_recorded_registry_files():
    vendor = assets.VENDOR
    manifest = json.loads((vendor / "vendor.json").read_text(encoding="utf-8"))
    for name, entry in manifest.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == entry["sha256"], name
        assert entry["integrity"].startswith("sha512-")
    # the bundle is the plotly.js the plotly package writes figures for, or plotlyjs() refuses it
    assert assets.BUNDLE_VERSION.search(assets.plotlyjs(vendor)[:400])


def test_a_trace_the_partial_bundle_cannot_draw_stops_the_report():
    div = '<script>Plotly.newPlot("x", [{"type":"bar","x":[1]},{"type":"heatmap","z":[[1]]}], {"template":{}})</script>'
    assert assets.trace_types(div) == {"bar", "heatmap"}
    with pytest.raises(assets.AssetError, match=r"chart x uses trace types \['heatmap'\]"):
        assets.check_traces("x", div)


def test_reference_document_is_what_its_script_writes():
    spec = importlib.util.spec_from_file_location("make_reference_docx", REPO / "bin" / "make_reference_docx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (REPO / "reports" / "noegletal-reference.docx").read_bytes()
    with zipfile.ZipFile(REPO / "reports" / "noegletal-reference.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    size = re.search(r'<w:pgSz w:w="(\d+)"', document)
    margins = re.search(r'<w:pgMar w:top="\d+" w:right="(\d+)" w:bottom="\d+" w:left="(\d+)"', document)
    text_width_cm = (int(size[1]) - int(margins[1]) - int(margins[2])) * 2.54 / 1440
    assert abs(text_width_cm - print_image.TEXT_WIDTH_CM) < 0.01  # the charts fill the text width
    typst = yaml.safe_load((REPO / "reports" / "_quarto.yml").read_text(encoding="utf-8"))["format"]["typst"]
    assert typst["papersize"] == "a4" and 21.0 - 2 * float(typst["margin"]["x"].removesuffix("cm")) == pytest.approx(
        print_image.TEXT_WIDTH_CM
    )


def test_print_image_records_its_resolution():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100"/></svg>'
    png = print_image.svg_to_png(svg, width_cm=5.08, dpi=150)
    assert print_image.png_size(png) == (300, 150) and round(print_image.png_dpi(png)) == 150


def test_project_options_for_word_and_the_theme_are_accepted(tmp_path):
    paths = write_report(tmp_path, "Tekst\n", project=(REPO / "reports" / "_quarto.yml").read_text(encoding="utf-8"))
    parsed = render.parse(paths.root / "reports", paths)
    assert render.formats(parsed) == ["html", "typst", "docx"]
    assert parsed.config["format"]["html"]["theme"] == "cosmo"


@pytest.mark.parametrize(
    ("text", "project", "says"),
    [
        ("Tekst\n", "format:\n  html:\n    theme: darkly\n", "_quarto.yml, line 3: option 'format.html.theme: darkly'"),
        ("Tekst\n", "format:\n  html:\n    toc-location: body\n", "line 3: option 'format.html.toc-location: body'"),
        ("Tekst\n", "format:\n  docx:\n    highlight-style: github\n", "line 3: option 'format.docx.highlight-style'"),
        ('::: {.content-visible when-meta="x"}\nA\n:::\n', "", "line 1: 'when-meta' is not supported"),
        ('::: {.content-hidden when-format="pdf"}\nA\n:::\n', "", 'line 1: when-format="pdf"'),
        ("::: content-visible\nA\n:::\n", "", "line 1: '::: content-visible'"),
    ],
)
def test_unsupported_options_and_conditions_fail_with_file_and_line(tmp_path, text, project, says):
    paths = write_report(tmp_path, text, project=project)
    with pytest.raises(render.ReportError) as failure:
        render.parse(paths.root / "reports", paths)
    assert says in failure.value.render()


def test_conditional_content_reaches_only_its_format(tmp_path):
    text = (
        "---\ntitle: Prøve\nlang: da\nformat:\n  html: default\n  docx: default\n---\n\n"
        'Fælles.\n\n::: {.content-visible when-format="docx"}\nKun i Word.\n:::\n\n'
        '::: {.content-hidden when-format="docx"}\nIkke i Word.\n:::\n'
    )
    paths = write_report(tmp_path, text)
    report_ = render.parse(paths.root / "reports", paths)
    render.execute(report_, paths.root / "reports")
    workdir = tmp_path / "reports" / ".render-test"
    workdir.mkdir()
    html = render.to_html(
        render.report_markdown(report_, "html", workdir), report_, paths.root / "reports", workdir
    ).decode("utf-8")
    assert "Fælles." in html and "Ikke i Word." in html and "Kun i Word." not in html
    docx = render.to_docx(render.report_markdown(report_, "docx", workdir), report_, paths.root / "reports", workdir)
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        document = z.read("word/document.xml").decode("utf-8")
    assert "Fælles." in document and "Kun i Word." in document and "Ikke i Word." not in document
