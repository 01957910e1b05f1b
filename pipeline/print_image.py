"""Charts as print images for the Word report: the charts stage's SVG rasterised by Typst (the
engine that already sets them in the PDF, with the same fonts) to a PNG of a given width at
300 dpi, the resolution recorded in the file."""

from __future__ import annotations

import functools
import hashlib
import os
import struct
import threading
import zlib
from pathlib import Path

PRINT_DPI = 300
# A4's 21 cm less the 2,2 cm side margins of _quarto.yml's typst format, which the Word
# reference document (reports/noegletal-reference.docx) has too.
TEXT_WIDTH_CM = 16.6
CM_PER_INCH = 2.54
FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"),)  # the charts' font, as in the PDF


# A folder of PNGs made before, named by a hash of everything they are made from; set by the
# embedded renderer for its kernel (pipeline/render), which makes the charts' PNGs side by side
# while the report's cells run. Unset (Quarto, tests), every PNG is made afresh.
CACHE_ENV = "NOEGLETAL_PRINT_IMAGE_CACHE"


def svg_to_png(svg: str, width_cm: float = TEXT_WIDTH_CM, dpi: int = PRINT_DPI, cache: Path | None = None) -> bytes:
    """The PNG, from `cache` (default: the folder $NOEGLETAL_PRINT_IMAGE_CACHE names) when it
    was made before, else made and kept there."""
    cache = cache or os.environ.get(CACHE_ENV)
    if not cache:
        return _rasterise(svg, width_cm, dpi)
    kept = Path(cache) / cache_key(svg, width_cm, dpi)
    if kept.is_file():
        return kept.read_bytes()
    png = _rasterise(svg, width_cm, dpi)
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{kept.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_bytes(png)
    partial.replace(kept)
    return png


@functools.cache
def _made_with() -> tuple[str, ...]:
    """What every PNG is made with besides its SVG: this module, Typst's version, the fonts."""
    import importlib.metadata

    fonts = sorted(f for d in FONT_DIRS if d.is_dir() for f in d.iterdir())
    return (
        Path(__file__).read_text(encoding="utf-8"),
        importlib.metadata.version("typst"),
        *(f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in fonts),
    )


def cache_key(svg: str, width_cm: float = TEXT_WIDTH_CM, dpi: int = PRINT_DPI) -> str:
    made_of = (svg, repr(float(width_cm)), str(dpi), *_made_with())
    return hashlib.sha256("\0".join(made_of).encode("utf-8")).hexdigest() + ".png"


def _rasterise(svg: str, width_cm: float, dpi: int) -> bytes:
    import typst

    quoted = '"' + svg.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    source = (
        f"#set page(width: {width_cm}cm, height: auto, margin: 0pt)\n"
        f'#image(bytes({quoted}), format: "svg", width: 100%)\n'
    )
    fonts = [str(d) for d in FONT_DIRS if d.is_dir()]
    png = typst.compile(source.encode("utf-8"), format="png", ppi=dpi, ignore_system_fonts=True, font_paths=fonts)
    return with_dpi(png, dpi)


def with_dpi(png: bytes, dpi: int) -> bytes:
    """The PNG with a pHYs chunk saying its resolution, so that a word processor sizes it by
    itself (any pHYs it had replaced)."""
    signature, pos, chunks = png[:8], 8, []
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        end = pos + 12 + length
        if kind != b"pHYs":
            chunks.append(png[pos:end])
        pos = end
    per_metre = round(dpi / CM_PER_INCH * 100)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    phys = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return signature + chunks[0] + phys + b"".join(chunks[1:])  # right after IHDR


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def png_dpi(png: bytes) -> float | None:
    at = png.find(b"pHYs")
    if at < 0:
        return None
    per_metre, _, unit = struct.unpack(">IIB", png[at + 4 : at + 13])
    return per_metre * CM_PER_INCH / 100 if unit == 1 else None
