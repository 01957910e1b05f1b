"""Where things live. Every stage resolves paths from the project root, so a copy of the
project (a test's temporary directory, a fresh clone) runs on its own files only."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The nearest directory upwards from the working directory that holds params.yaml.

    NOEGLETAL_ROOT overrides it, for running the CLI from elsewhere."""
    env = os.environ.get("NOEGLETAL_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "params.yaml").is_file() and (candidate / "data" / "raw").is_dir():
            return candidate
    raise SystemExit(
        "noegletal: no project found (a directory with params.yaml and data/raw/) "
        f"at or above {here}; run inside the project or set NOEGLETAL_ROOT"
    )


class Paths:
    """All file locations of one project checkout."""

    def __init__(self, root: Path | None = None):
        self.root = root or project_root()
        self.params = self.root / "params.yaml"
        self.sql = self.root / "sql"
        self.raw = self.root / "data" / "raw"
        self.raw_series = self.raw / "series.csv"
        self.raw_releases = self.raw / "releases"
        self.raw_published = self.raw / "published"
        self.raw_statements = self.raw / "statements"
        self.raw_notifications = self.raw / "notifications"
        self.raw_publications = self.raw / "publications"

        self.validated = self.root / "data" / "validated"
        self.validated_figures = self.validated / "figures.parquet"
        self.validated_published = self.validated / "published.parquet"
        self.validated_series = self.validated / "series.parquet"
        self.validated_statements = self.validated / "statements.parquet"
        self.validated_notifications = self.validated / "notifications.parquet"
        self.validated_publications = self.validated / "publications.parquet"

        self.derived = self.root / "data" / "derived"
        self.derived_figures = self.derived / "figures_full_year.parquet"
        self.derived_comparison = self.derived / "comparison_dk_se.parquet"

        self.outputs = self.root / "outputs"
        self.tables = self.outputs / "tables"
        self.data_out = self.outputs / "data"
        self.comparison = self.outputs / "comparison"
        self.audit = self.outputs / "audit"

    def relative(self, path: Path) -> str:
        """A path as shown to people: relative to the project root, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
