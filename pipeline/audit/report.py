"""The audit as one report: every section, the counts of verdicts, and the stage that writes
outputs/audit/."""

from __future__ import annotations

import polars as pl

from pipeline import __version__, metrics
from pipeline.audit.auditor import Auditor
from pipeline.audit.output import audit_json, audit_markdown
from pipeline.audit.vintage import AFTER, BEFORE, UNCERTAIN, as_of
from pipeline.io import staged_outputs
from pipeline.paths import Paths
from pipeline.rawfiles import file_hashes  # shared with the workbook's run sheet


def build(paths: Paths) -> dict:
    from pipeline.params import load_params

    params = load_params(paths)
    figures = pl.read_parquet(paths.validated_figures)
    views, availability_by = {}, {}
    for publication in pl.read_parquet(paths.validated_publications).iter_rows(named=True):
        view, releases = as_of(figures, publication, params, paths)
        views[publication["publication"]] = view
        availability_by[publication["publication"]] = releases
    auditor = Auditor(
        pl.read_parquet(paths.derived_figures),
        pl.read_parquet(paths.validated_published),
        pl.read_parquet(paths.validated_statements),
        views,
        availability_by,
        params.get("extrapolation"),
        {r["series"]: r["label_da"] for r in pl.read_parquet(paths.validated_series).iter_rows(named=True)},
    )
    sections = {
        "publications": [
            {
                "publication": name,
                "published": v.publication["published"],
                "data_cutoff": v.publication["data_cutoff"],
                "method": v.publication["method"],
                "releases": {
                    a: availability_by[name]
                    .filter(pl.col("availability") == a)["release_id"]
                    .unique(maintain_order=True)
                    .to_list()
                    for a in (BEFORE, UNCERTAIN, AFTER)
                },
            }
            for name, v in views.items()
        ],
        "extrapolations": auditor.extrapolations(),
        "published_values": auditor.published_values(),
        "statements": auditor.statements_checked(),
        "disagreements_between_releases": auditor.disagreements(),
        "corroborations": auditor.corroborations(),
        "corrections": auditor.corrections(),
        "vintages": auditor.vintages(),
        "publication_dates": auditor.publication_dates(),
        "count_dates": auditor.count_dates(),
        "revised_since": auditor.revised_since(),
        "uncertain_dates": auditor.uncertain_dates(),
        "methods": auditor.method_errors(),
    }
    return {
        "package_version": __version__,
        "inputs_sha256": file_hashes(paths),
        **sections,
        "summary": summarise(sections),
    }


def summarise(sections: dict) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for name in (
        "extrapolations",
        "published_values",
        "statements",
        "disagreements_between_releases",
        "publication_dates",
        "count_dates",
    ):
        for item in sections[name]:
            counts.setdefault(name, {}).setdefault(item["verdict"] or "unchecked", 0)
            counts[name][item["verdict"] or "unchecked"] += 1
    return counts


def run(paths: Paths | None = None) -> None:
    paths = paths or Paths()
    report = build(paths)
    with staged_outputs() as out:
        out.write_text(paths.audit / "audit.json", audit_json(report))
        out.write_text(paths.audit / "audit.md", audit_markdown(report))
        metrics.write(out, paths, "backtest", metrics.backtest(report["methods"]["summary"]))
