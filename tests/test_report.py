"""The report: rendered from a built copy of the project, opened in a browser with the network
off, read back from the PDF; and the embedded renderer's refusal of Quarto it does not know."""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import charts, render
from pipeline.paths import Paths

TABLE_VALUES = ("2.181 (2.908)*", "19 (25)", "22 (29)", "2 (3)")
# The chapters on Sweden, the custom notifications and the audit: cells of their tables ...
NEW_TABLE_VALUES = (
    "0,50 (0,38–0,66)",
    "7,5 gange (2,8–28,4)",
    "skøn 0,04 (0,01–0,16)",
    "2 (jan.–sep.)",
    "ikke direkte sammenlignelig",
    "ca. 40",
    "»syv gennem telefonsamtaler«",
    "2 / 9 × 12 = 2,67",
    "konsistent med afrundingen",
)
# ... and their prose, every number computed in the document
NEW_TEXT = (
    "Tabel 2.1: Dræbte i Danmark og dræbte ved skyderier i Sverige, antal og rater",
    "Figur 2.1: Dræbte i forhold til befolkningen i Danmark og Sverige",
    "Tabel 3.1: Custom notifications over for fokuspersonerne",
    # (no "95 %" here: its no-break space is white space to the joining of wrapped lines)
    "forbehold, at tallene ikke er direkte sammenlignelige. Intervallerne er brede",
    "Regnet under ét for 2021–2024 var raten 6,8 gange så høj i Sverige som i Danmark",
    "-interval 4,2–11,8), ud fra 204 dræbte i Sverige og 16 i Danmark",
    "at 2024 indgår med et dansk helårsskøn ud fra januar–september",
    "De enkelte års forhold (fra 4,2 til 9,3 gange) afviger ikke mere fra hinanden",
    "ikke direkte sammenlignelige",
    "dækker kun januar–september",
    "87 skudepisoder, 45 sårede og 3 dræbte",
    "18 + 23 = 41",
    "19 deltagere i kapitel 3",
    "388,67, som afrundet giver 389; rapportens 388 er afkortet, ikke afrundet",
    "242 × 12 = 2.904",
    "−34,17 %, afrundet −34 %",
    "ingen af tilfældene er fremskrevet fra så lidt af året",
    "−7,12 %, afrundet −7 %",
    "6 af 10 ligger uden for 100–200",
    "Sverige 44 (hele året) mod Danmark 2 (januar–september)",
    "87 / 24,33 = 3,58 gange, ikke 2 gange",
    "18 (afsnit 2.6) mod 19 (kapitel 3)",
    "SVT Datajournalistik (2023, endelig, hele året, gengivet i VIVE (2025): Forenet Mod Vold): 53",
    "ukendt for 2009–2023",
    "Rocker-/bandemedlemmer (Tabel 1.1 viser 2014–2024)",  # the table's own years, not 2009
    "er angivet som udgivet 2023, før året 2024 var begyndt",
)
# the audit's JSON is English; the report writes Danish from its fields
ENGLISH = ("rounds to", "the inputs give", "too few cases", "mismatch", "is cited as")
QUARTO_SYNTAX = ("{python}", "#|", "@tbl-", "@fig-", "{{<", "tbl-cap", "fig-cap", ":::")


def output(paths: Paths, suffix: str) -> Path:
    return paths.root / "reports" / "_output" / f"noegletal{suffix}"


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium on a local file, no network: every host name fails to resolve and
    any request would go to a closed port on this machine, and so end up in the console log."""
    command = [
        charts.browser_path(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=socks5://127.0.0.1:9",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=15000",  # let plotly's scripts run before the DOM is taken
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_html_report_renders_in_a_browser_without_network(report, tmp_path):
    page = output(report, ".html")
    result = chromium(page, tmp_path, "--dump-dom")
    assert result.returncode == 0, result.stderr
    dom = result.stdout

    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], "JavaScript errors or network requests:\n" + "\n".join(console)
    for name in charts.CHARTS:  # each chart's div holds the SVG plotly drew into it
        chart = dom.split(f'id="noegletal-{name}"', 1)
        assert len(chart) == 2, f"chart {name} is missing"
        assert 'class="main-svg"' in chart[1].split('id="noegletal-', 1)[0], f"chart {name} was not drawn"
    assert len(re.findall(r"plotly\.js (\([^)]*\) )?v\d", page.read_text(encoding="utf-8"))) == 1  # inline, once

    cells = {
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", c))).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", dom, re.S)
    }
    for value in TABLE_VALUES + NEW_TABLE_VALUES:
        assert value in cells, value
    text = re.sub(r"<script.*?</script>", "", dom, flags=re.S)
    prose = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", text)))
    for value in NEW_TEXT:
        assert value in prose, value
    assert not [e for e in ENGLISH if e in prose]
    for name, shown in (
        ("dk_se_rater", "7,5 gange"),
        ("skud_saarede_draebte", "Bandekonflikten 2017"),
        ("custom_notifications", "18 + 23 = 41"),
    ):  # drawn by plotly in the page
        assert shown in dom.split(f'id="noegletal-{name}"', 1)[1].split('id="noegletal-', 1)[0], name
    assert "Tabel 1.1: Antallet af rocker-/bandemedlemmer i Danmark" in text
    assert re.search(r'<a href="#tbl-medlemmer">Tabel(&nbsp;|\xa0)1\.1</a>', text)
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="da"' in text
    assert not [s for s in QUARTO_SYNTAX if s in text]
    assert not re.search(r"(src|href)=\"https?:", text)  # nothing to fetch

    screenshot = tmp_path / "noegletal.png"
    shot = chromium(page, tmp_path, "--hide-scrollbars", "--window-size=1280,4800", f"--screenshot={screenshot}")
    assert shot.returncode == 0 and screenshot.stat().st_size > 50_000, shot.stderr


@pytest.mark.slow
def test_pdf_report_keeps_tables_numbers_and_danish_letters(report):
    result = subprocess.run(
        ["pdftotext", "-layout", str(output(report, ".pdf")), "-"], capture_output=True, text=True, check=True
    )
    text = result.stdout
    for value in TABLE_VALUES:
        assert value in text
    flowing = re.sub(r"\s+", " ", text)  # wrapped lines and table cells joined
    for value in NEW_TEXT:
        assert value in flowing, value
    for value in (
        "7,5 gange (2,8–28,4)",
        "0,50 (0,38–0,66)",
        "ca. 40",
        "konsistent med",
        "Bandekonflikten 2017",
        "Dræbte i forhold til befolkningen i Danmark og Sverige, 2021–2024",
        "Custom notifications i Forenet",
    ):
        assert value in flowing, value
    assert not [e for e in ENGLISH if e in flowing]
    for letter in "æøå":
        assert letter in text
    assert "Tabel 1.1: Antallet af rocker-/bandemedlemmer i Danmark" in text
    assert "Tabel 1.3 viser" in text and "Figur 1.2" in text  # cross-references resolved
    assert "Rocker-/bandemedlemmer i Danmark, 2014–2024" in text  # the chart's own text, as text
    assert not [s for s in QUARTO_SYNTAX if s in text]


@pytest.mark.slow
def test_long_run_section(report):
    """'Den lange udvikling': the long-run chart and its sentences, from the history releases."""
    result = subprocess.run(["pdftotext", str(output(report, ".pdf")), "-"], capture_output=True, text=True, check=True)
    # words wrapped at a soft hyphen or after "/" joined again
    flowing = re.sub(r"\s+", " ", re.sub(r"(?:\xad|(?<=/))\s+", "", result.stdout))
    assert "Den lange udvikling" in flowing
    assert "til og med 2024: rocker-/bandemedlemmer fra 2009, sårede og dræbte fra 2010." in flowing
    assert "Socialstyrelsen (2009–2013), Nordjyske (2010–2016) og VIVE (2025): Forenet Mod Vold (2014–2024)" in flowing
    assert "skifter 5 gange undervejs" in flowing
    assert "(rocker-/bandemedlemmer fra 2014 og sårede og dræbte fra 2017)" in flowing
    assert "Rocker-/bandemedlemmer, sårede og dræbte i Danmark, 2009–2024" in flowing  # the chart, as text
    page = output(report, ".html").read_text(encoding="utf-8")
    assert "Ny opgørelse og kilde" in page.split('id="noegletal-lang_udvikling"', 1)[1]


@pytest.mark.slow
def test_stage_renders_the_same_bytes_again(report):
    """`python -m pipeline.render`, as DVC runs it: the same bytes as before, only the three
    outputs in _output/, no scratch files left in reports/."""
    if shutil.which("quarto"):
        pytest.skip("the Quarto CLI is installed: the stage would use it")
    before = {s: hashlib.sha256(output(report, s).read_bytes()).hexdigest() for s in (".html", ".pdf", ".docx")}
    env = os.environ | {"NOEGLETAL_ROOT": str(report.root)}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.render"], cwd=report.root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert {s: hashlib.sha256(output(report, s).read_bytes()).hexdigest() for s in (".html", ".pdf", ".docx")} == before
    assert sorted(p.name for p in output(report, "").parent.iterdir()) == [
        "noegletal.docx",
        "noegletal.html",
        "noegletal.pdf",
    ]
    assert not list((report.root / "reports").glob(".render-*"))


# --- the embedded renderer on small documents ---------------------------------------------


def write_report(root: Path, text: str, project: str = "") -> Paths:
    (root / "reports").mkdir(exist_ok=True)
    (root / "reports" / "noegletal.qmd").write_text(text, encoding="utf-8")
    if project:
        (root / "reports" / "_quarto.yml").write_text(project, encoding="utf-8")
    return Paths(root)


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("# A\n\nText {{< pagebreak >}}.\n", 3, "shortcode {{< pagebreak >}}"),
        ("Intro\n\n::: {.callout-note}\nNB\n:::\n", 3, ".callout-note"),
        ("::: callout-tip\nNB\n:::\n", 1, "callout-tip"),
        ("# A {#sec-a}\n\nSee @sec-a.\n", 3, "@sec-a"),
        ("As shown [@knuth1984].\n", 1, "@knuth1984"),
        ("See @tbl-none.\n", 1, "@tbl-none refers to no labelled"),
        ("![A figure](a.png){#fig-a}\n", 1, "#fig-a"),
        ("```{r}\n1 + 1\n```\n", 1, "{r}"),
        ("Value `{r} x`.\n", 1, "`{r} …`"),
        ("```{python}\n#| echo: false\n#| fig-width: 5\n1\n```\n", 3, "cell option 'fig-width'"),
        ("```{python}\n#| label: tbl-x\n1\n```\n", 1, "needs a 'tbl-cap'"),
        ("---\ntitle: T\nbibliography: refs.bib\n---\n", 3, "option 'bibliography'"),
    ],
)
def test_unsupported_quarto_fails_with_file_and_line(tmp_path, text, line, says):
    paths = write_report(tmp_path, text)
    with pytest.raises(render.ReportError) as failure:
        render.parse(paths.root / "reports", paths)
    message = failure.value.render()
    assert message.startswith(f"reports/noegletal.qmd, line {line}: "), message
    assert says in message


def test_bytes_that_are_not_utf8_are_named_by_line_and_column(tmp_path):
    paths = write_report(tmp_path, "Tekst\n")
    qmd = paths.root / "reports" / "noegletal.qmd"
    qmd.write_bytes(qmd.read_bytes() + "Pr\u00f8ve \xf8\n".encode("latin-1"))
    lines = qmd.read_bytes().count(b"\n")
    with pytest.raises(render.ReportError) as failure:
        render.parse(paths.root / "reports", paths)
    assert failure.value.render() == (
        f"reports/noegletal.qmd, line {lines}: the byte at column 3 is not UTF-8 text [report]"
    )


def test_unsupported_project_option_names_quarto_yml(tmp_path):
    paths = write_report(tmp_path, "Text\n", project="project:\n  type: website\n")
    with pytest.raises(render.ReportError, match=r"reports/_quarto.yml, line 2: option 'project.type: website'"):
        render.parse(paths.root / "reports", paths)


FEATURES = """---
title: "Prøve"
lang: da
number-sections: true
crossref:
  chapters: true
format:
  html:
    embed-resources: true
  typst: default
---

```{python}
#| include: false
import warnings
from IPython.display import Markdown, display
value = "1.315 *personer*"
```

# Afsnit

Inline: `{python} value`, `{python} Markdown("**fed**")`, `{python} 6 * 7`. Se @tbl-x og [@fig-y].

```{python}
#| label: tbl-x
#| tbl-cap: En tabel
display(Markdown("| a | b |\\n|---|--:|\\n| æ | 2 |"))
```

```{python}
#| label: fig-y
#| fig-cap: Et billede
#| echo: true
#| warning: false
warnings.warn("skjult advarsel")
display({"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>',
         "text/plain": "<svg>"}, raw=True)
```

```{python}
#| output: asis
print("*som markdown*")
```

```{python}
#| error: true
1 / 0
```
"""


def test_embedded_renderer_features(tmp_path):
    """Inline values, captions, numbering, cross-references, echo, warning, asis and error,
    in both formats."""
    paths = write_report(tmp_path, FEATURES)
    report = render.parse(paths.root / "reports", paths)
    render.execute(report, paths.root / "reports")
    workdir = tmp_path / "reports" / ".render-test"
    workdir.mkdir()
    html = render.report_markdown(report, "html", workdir)
    typst = render.report_markdown(report, "typst", workdir)

    assert r"Inline: 1\.315 \*personer\*, **fed**, 42." in html  # a str as text, Markdown as markdown
    assert "[Tabel&nbsp;1.1](#tbl-x)" in html and "[Figur&nbsp;1.1](#fig-y)" in html
    assert "`#ref(<tbl-x>)`{=typst}" in typst and "`#ref(<fig-y>)`{=typst}" in typst
    assert "Tabel 1.1: En tabel" in html and "#figure(kind: table, caption: [En tabel])[" in typst
    assert 'warnings.warn("skjult advarsel")' in html  # echo: true shows the code ...
    assert "skjult advarsel" not in html.replace('warnings.warn("skjult advarsel")', "")  # ... warning: false
    assert "\n*som markdown*\n" in html  # output: asis
    assert "ZeroDivisionError" in html  # error: true shows the error

    page = render.to_html(html, report, paths.root / "reports", workdir).decode("utf-8")
    assert '<figure id="tbl-x"' in page and "<td>æ</td>" in page and 'lang="da"' in page
    pdf = render.to_pdf(typst, report, paths.root / "reports", workdir)
    assert pdf.startswith(b"%PDF")


def test_a_failing_cell_names_its_line(tmp_path):
    paths = write_report(tmp_path, "Tekst\n\n```{python}\nx = 1\n```\n\nVærdi: `{python} y`.\n")
    report = render.parse(paths.root / "reports", paths)
    with pytest.raises(
        render.ReportError, match=r"reports/noegletal.qmd, line 7: inline expression `y` raised NameError"
    ):
        render.execute(report, paths.root / "reports")
