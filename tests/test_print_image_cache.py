"""The print images (PNG for Word) the embedded renderer makes ahead of the report's cells and
keeps between runs: the same bytes as made afresh, made once, and named by what they are made
from."""

from __future__ import annotations

import pytest

from pipeline import print_image
from pipeline.render.print_images import make_print_images

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="{w}" height="100"/></svg>'


def test_a_kept_image_is_the_image_made_afresh(tmp_path, monkeypatch):
    fresh = print_image.svg_to_png(SVG.format(w=200), width_cm=5.08, dpi=150)
    kept = print_image.svg_to_png(SVG.format(w=200), width_cm=5.08, dpi=150, cache=tmp_path)
    assert kept == fresh and len(list(tmp_path.iterdir())) == 1
    monkeypatch.setattr(print_image, "_rasterise", lambda *a: pytest.fail("made again"))
    assert print_image.svg_to_png(SVG.format(w=200), width_cm=5.08, dpi=150, cache=tmp_path) == fresh


def test_the_folder_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(print_image.CACHE_ENV, str(tmp_path))
    print_image.svg_to_png(SVG.format(w=200), width_cm=5.08, dpi=150)
    assert [p.name for p in tmp_path.iterdir()] == [print_image.cache_key(SVG.format(w=200), 5.08, 150)]


def test_the_name_changes_with_the_image_and_its_size():
    names = {
        print_image.cache_key(SVG.format(w=200), 5.08, 150),
        print_image.cache_key(SVG.format(w=100), 5.08, 150),
        print_image.cache_key(SVG.format(w=200), 5.0, 150),
        print_image.cache_key(SVG.format(w=200), 5.08, 300),
    }
    assert len(names) == 4


def test_the_renderer_makes_each_charts_image_once(tmp_path, monkeypatch):
    charts = tmp_path / "outputs" / "charts"
    charts.mkdir(parents=True)
    for name, width in (("a", 200), ("b", 100)):
        (charts / f"{name}.svg").write_text(SVG.format(w=width), encoding="utf-8")
    cache = tmp_path / "cache"
    svgs = sorted(charts.glob("*.svg"))
    kept = make_print_images(tmp_path / "none.qmd", svgs, cache)
    assert kept == set(cache.iterdir()) and len(kept) == 2
    made = []
    monkeypatch.setattr(print_image, "_rasterise", lambda *a: made.append(a) or b"")
    assert make_print_images(tmp_path / "none.qmd", svgs, cache) == kept and made == []


def test_an_image_that_cannot_be_made_is_left_to_the_cell(tmp_path):
    """A broken SVG stops nothing here: the report's cell makes it and names its own error."""
    broken = tmp_path / "broken.svg"
    broken.write_text("<svg", encoding="utf-8")
    assert make_print_images(tmp_path / "none.qmd", [broken], tmp_path / "cache") == set()
    with pytest.raises(Exception):  # noqa: B017, PT011  whatever Typst raises
        print_image.svg_to_png("<svg")
