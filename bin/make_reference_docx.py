"""Write reports/noegletal-reference.docx, the Word report's reference document (its styles and
page), from pandoc's own default reference document, reproducibly (same bytes on every run).

    bash bin/uv run python bin/make_reference_docx.py

The result is committed; run this again only after changing it (tests/test_report_formats.py
checks that the committed file is what this script writes). What it changes, so that the Word
report looks like the PDF:
- language Danish (da-DK) for spelling and hyphenation;
- the PDF's fonts: Libertinus Serif (the text font Typst sets the PDF in) for text and
  headings, 11 pt; Word substitutes a serif font where it is not installed;
- headings bold and black as in the PDF; captions bold, not italic; a table's caption kept
  with its table, a figure's with its figure;
- tables ("Table" style): rules above and below the table and under the header row, the
  header bold; a "Table Note" paragraph style (small type) for the notes and sources under
  tables and figures;
- the page: A4 with the PDF's margins (2,2 cm left and right, 2,5 cm top and bottom).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "reports" / "noegletal-reference.docx"
FONT = "Libertinus Serif"
TWIPS_PER_CM = 1440 / 2.54
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip file can record: no build time in the bytes


def pandoc_default() -> bytes:
    import pypandoc

    return subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True
    ).stdout


def style(xml: str, style_id: str, change) -> str:
    pattern = re.compile(rf'<w:style [^>]*w:styleId="{style_id}">.*?</w:style>', re.S)
    found = pattern.search(xml)
    if not found:
        sys.exit(f"make_reference_docx: pandoc's reference document has no style {style_id}")
    return xml[: found.start()] + change(found.group(0)) + xml[found.end() :]


def set_rpr(block: str, rpr: str) -> str:
    """Replace a style's run properties (or add them)."""
    if "<w:rPr>" in block:
        return re.sub(r"<w:rPr>.*?</w:rPr>", rpr, block, flags=re.S)
    return block.replace("</w:style>", rpr + "</w:style>")


def heading(size_pt: float, before_pt: int):
    def change(block: str) -> str:
        block = re.sub(r"<w:spacing [^>]*/>", f'<w:spacing w:before="{before_pt * 20}" w:after="120" />', block)
        return set_rpr(
            block,
            f'<w:rPr><w:b /><w:bCs /><w:color w:val="000000" />'
            f'<w:sz w:val="{round(size_pt * 2)}" /><w:szCs w:val="{round(size_pt * 2)}" /></w:rPr>',
        )

    return change


TABLE_STYLE = """<w:style w:type="table" w:default="1" w:styleId="Table">
    <w:name w:val="Table" />
    <w:basedOn w:val="TableNormal" />
    <w:uiPriority w:val="59" />
    <w:qFormat />
    <w:pPr><w:spacing w:before="40" w:after="40" /></w:pPr>
    <w:rPr><w:sz w:val="20" /><w:szCs w:val="20" /></w:rPr>
    <w:tblPr>
      <w:tblInd w:w="0" w:type="dxa" />
      <w:tblBorders>
        <w:top w:val="single" w:sz="8" w:space="0" w:color="000000" />
        <w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000" />
      </w:tblBorders>
      <w:tblCellMar>
        <w:top w:w="29" w:type="dxa" />
        <w:left w:w="108" w:type="dxa" />
        <w:bottom w:w="29" w:type="dxa" />
        <w:right w:w="108" w:type="dxa" />
      </w:tblCellMar>
    </w:tblPr>
    <w:tblStylePr w:type="firstRow">
      <w:rPr><w:b /><w:bCs /></w:rPr>
      <w:tblPr />
      <w:tcPr>
        <w:tcBorders>
          <w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000" />
        </w:tcBorders>
        <w:vAlign w:val="bottom" />
      </w:tcPr>
    </w:tblStylePr>
  </w:style>"""

TABLE_NOTE_STYLE = """<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableNote">
    <w:name w:val="Table Note" />
    <w:basedOn w:val="Normal" />
    <w:qFormat />
    <w:pPr><w:keepLines /><w:spacing w:before="40" w:after="40" /></w:pPr>
    <w:rPr><w:sz w:val="18" /><w:szCs w:val="18" /></w:rPr>
  </w:style>"""


def styles_xml(xml: str) -> str:
    xml = xml.replace('<w:lang w:val="en-US"', '<w:lang w:val="da-DK"')
    xml = re.sub(
        r"(<w:rPrDefault>\s*<w:rPr>\s*)<w:rFonts [^>]*/>",
        rf'\1<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}" />',
        xml,
    )
    xml = re.sub(
        r'(<w:rPrDefault>.*?)<w:sz w:val="24" />\s*<w:szCs w:val="24" />',
        r'\1<w:sz w:val="22" /><w:szCs w:val="22" />',
        xml,
        flags=re.S,
    )
    # Every style that names the theme's fonts gets the text font instead.
    xml = re.sub(
        r'<w:rFonts w:asciiTheme="majorHAnsi"\s+w:eastAsiaTheme="majorEastAsia" w:hAnsiTheme="majorHAnsi"\s+'
        r'w:cstheme="majorBidi" />',
        f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" />',
        xml,
    )
    for level, (size, before) in enumerate([(15.5, 18), (13, 14), (11.5, 12), (11, 10)], start=1):
        xml = style(xml, f"Heading{level}", heading(size, before))
    xml = style(
        xml,
        "Title",
        lambda b: set_rpr(
            b.replace('<w:jc w:val="center" />', ""),
            '<w:rPr><w:b /><w:bCs /><w:sz w:val="40" /><w:szCs w:val="40" /></w:rPr>',
        ),
    )
    xml = style(
        xml,
        "Subtitle",
        lambda b: set_rpr(
            b.replace('<w:jc w:val="center" />', ""), '<w:rPr><w:sz w:val="28" /><w:szCs w:val="28" /></w:rPr>'
        ),
    )
    xml = style(xml, "Caption", lambda b: set_rpr(b, "<w:rPr><w:b /><w:bCs /></w:rPr>"))
    xml = style(
        xml,
        "TableCaption",
        lambda b: b.replace("<w:keepNext />", '<w:keepNext /><w:spacing w:before="240" w:after="80" />'),
    )
    xml = style(
        xml,
        "ImageCaption",
        lambda b: b.replace("</w:style>", '<w:pPr><w:spacing w:before="80" w:after="80" /></w:pPr></w:style>'),
    )
    xml = style(xml, "Table", lambda b: TABLE_STYLE)
    return xml.replace("</w:styles>", TABLE_NOTE_STYLE + "\n</w:styles>")


def document_xml(xml: str) -> str:
    a4_width, a4_height = 11906, 16838
    side, top = round(2.2 * TWIPS_PER_CM), round(2.5 * TWIPS_PER_CM)
    page = (
        f'<w:pgSz w:w="{a4_width}" w:h="{a4_height}" />'
        f'<w:pgMar w:top="{top}" w:right="{side}" w:bottom="{top}" w:left="{side}" '
        'w:header="709" w:footer="709" w:gutter="0" />'
    )
    return xml.replace("</w:sectPr>", page + "</w:sectPr>")


def font_table(xml: str) -> str:
    entry = (
        f'<w:font w:name="{FONT}"><w:altName w:val="Times New Roman" /><w:charset w:val="00" />'
        '<w:family w:val="roman" /><w:pitch w:val="variable" /></w:font>'
    )
    return xml.replace("</w:fonts>", entry + "</w:fonts>")


def theme(xml: str) -> str:
    return re.sub(r'<a:latin typeface="Aptos(?: Display)?"', f'<a:latin typeface="{FONT}"', xml)


CHANGES = {
    "word/styles.xml": styles_xml,
    "word/document.xml": document_xml,
    "word/fontTable.xml": font_table,
    "word/theme/theme1.xml": theme,
}


def build() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(pandoc_default()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():  # pandoc's order: [Content_Types].xml first, as Word wants
            data = source.read(name)
            if name in CHANGES:
                data = CHANGES[name](data.decode("utf-8")).encode("utf-8")
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


if __name__ == "__main__":
    TARGET.write_bytes(build())
    print(f"wrote {TARGET.relative_to(ROOT)}")
