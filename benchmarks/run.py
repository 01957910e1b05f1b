"""The noegletal benchmark (issue 7): one command, measured on this machine, written to
benchmarks/results.md (and the raw numbers to benchmarks/results.json).

    uv run python benchmarks/run.py                 # everything, medians of 3 runs
    uv run python benchmarks/run.py --quick         # smoke run: 1 run, sizes up to 10k rows
    uv run python benchmarks/run.py --repeat 5 --max-rows 1000000

What it measures (details in benchmarks/README.md):

1. a cold `dvc repro` of the shipped pipeline in a fresh clone (total), and per stage
   (`dvc repro --single-item <stage>` in dvc.yaml's order in another fresh clone, and each
   stage's bare command in a third);
2. a no-op `dvc repro` right after, and a re-run after changing one raw value, beside DVC's
   own no-op floor (a one-stage repository whose command is `true`);
3. the cold render stage beside pandoc alone and typst alone on the same documents;
4. the core (ingest, which reads, types and validates → extrapolate → tables) on synthetic monthly regional data of
   ≈10k … 10M rows (benchmarks/synth.py), one fresh process per run: wall time, rows/s,
   peak RSS;
5. beside it the floor: DuckDB alone reading the same CSV files and computing the same
   aggregates in one SQL statement.

Everything runs on temporary clones in $TMPDIR (never in the project itself), which are
removed at the end (`--keep-tmp` keeps them). Nothing here is part of the pytest run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
CHILD = HERE / "_child.py"
SYNTH = HERE / "synth.py"
VENV = Path(sys.prefix)
VENV_BIN = VENV / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable

SIZES = (  # (label, synthetic rows wanted); "shipped" is the shipped raw data alone
    ("shipped", 0),
    ("10k", 10_000),
    ("100k", 100_000),
    ("1M", 1_000_000),
    ("10M", 10_000_000),
)
TARGETS = {
    "noop_ratio": 1.3,  # pipeline no-op / DVC no-op floor
    "render_seconds": 5.0,  # cold HTML + PDF render
    "cold_repro_seconds": 10.0,  # cold `dvc repro` of the shipped pipeline (issue 17)
    "change_repro_seconds": 10.0,  # `dvc repro` after one raw value changed (issue 17)
    "core_floor_ratio": 1.5,  # core at 10M rows / DuckDB floor, every field as text (issue 17)
    "core_floor_ratio_typed": 2.0,  # core at 10M rows / DuckDB floor, column types declared (issue 17)
    "core_peak_gb": 4.0,  # peak RSS of the core at 10M rows
    "per_row_ratio": 1.2,  # time per row at 10M / time per row at 100k
    "quoted_rss_ratio": 1.2,  # core peak RSS on a 1M-row quoted file / on the same file unquoted (issue 17)
}
# Why a target is missed, when it is (the targets table's rows, by the start of their label):
# the structural cause, with where in the results the numbers behind it are.
WHY_MISSED = {
    "Cold `dvc repro`": (
        "every stage is its own DVC stage and Python process: DVC's own checks and its rewrite of `dvc.lock` "
        "add to every stage (section 1, *DVC's share*), and every stage starts Python and its imports, and a cold run also starts the browser and draws every chart image "
        "and a Jupyter kernel for the report. The stages are kept apart on purpose, so that DVC re-runs exactly "
        "the stages whose inputs changed (issue 17's trade-off); merging them would save DVC's share but re-run "
        "work that did not change."
    ),
    "`dvc repro` after one raw value": (
        "a raw value reaches every stage (figures → tables, comparison, charts, audit, report), so all of them "
        "re-run, each with DVC's own share and a Python start (sections 1–2); charts whose data did not change are "
        "not drawn again (their images are kept in `.cache/chart-images`), but the stage still starts."
    ),
    "Core at 10M rows / DuckDB floor (every field": (
        "the floor reads six columns and sums; the core must read and group all seventeen columns of every row to "
        "check every field, type and check the groups and keep each figure's provenance (sections 4–5, per stage)."
    ),
    "Core at 10M rows / DuckDB floor (column types": (
        "this floor is told the column types of the synthetic files, which the format does not allow a reader to "
        "assume; see the row above."
    ),
}
QUOTED_SIZE = "1M"  # the size at which the core also runs on the same data with every text field quoted
RAW_CHANGE = ("data/raw/releases/nsk_2023.csv", "sigtelser", "2023")  # file, series, year to bump by one
GB = 1024**3
NOOP_SAMPLES = 3  # no-op `dvc repro`s per run (each alternating with one in the floor repository)


# ---------------------------------------------------------------------------------------------
# running things


class BenchError(RuntimeError):
    """A measurement that could not be made; the message says which and why."""


@dataclass
class Run:
    args: list[str]
    returncode: int
    seconds: float
    maxrss_kb: int
    stdout: str
    stderr: str
    timed_out: bool = False
    memory_killed: bool = False
    peak_sampled_kb: int = 0
    timeout: float = 0.0

    def describe(self) -> str:
        cmd = " ".join(shlex.quote(a) for a in self.args)
        if self.timed_out:
            why = f"timed out (limit {self.timeout:.0f} s)"
        elif self.memory_killed:
            why = f"stopped by the memory guard at {self.peak_sampled_kb / 1024**2:.1f} GB RSS"
        else:
            why = f"exited with {self.returncode}"
        tail = (self.stderr.strip() or self.stdout.strip())[-1500:]
        return f"`{cmd}` {why}" + (f":\n{tail}" if tail else "")

    def json_line(self) -> dict:
        for line in reversed(self.stdout.strip().splitlines()):
            if line.startswith("{"):
                return json.loads(line)
        raise BenchError(f"no JSON result from {self.describe()}")


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float, mem_limit_kb: int | None = None, check: bool = True
) -> Run:
    """Run a command in its own process group; wall time and the rusage of this child alone
    (os.wait4), with a timeout and an optional RSS guard (sampled every 50 ms)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
        )
        timed_out = memory_killed = False
        peak = 0
        status = rusage = None
        try:
            while True:
                pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                elapsed = time.perf_counter() - began
                if mem_limit_kb:
                    peak = max(peak, _rss_kb(proc.pid))
                    if peak > mem_limit_kb:
                        memory_killed = True
                if elapsed > timeout:
                    timed_out = True
                if timed_out or memory_killed:
                    _stop_group(proc.pid)
                    _, status, rusage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.05)
        except BaseException:
            _stop_group(proc.pid)
            try:
                os.wait4(proc.pid, 0)
            except ChildProcessError:
                pass
            raise
        seconds = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Run(
            list(args),
            proc.returncode,
            seconds,
            rusage.ru_maxrss,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            timed_out,
            memory_killed,
            peak,
            timeout,
        )
    if check and (result.returncode != 0 or timed_out or memory_killed):
        raise BenchError(result.describe())
    return result


def _stop_group(pgid: int) -> None:
    """SIGTERM, then SIGKILL, to the process group this harness started for one command."""
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        deadline = time.perf_counter() + wait
        while time.perf_counter() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
    print(f"  (process group {pgid} killed)", file=sys.stderr)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# ---------------------------------------------------------------------------------------------
# the machine


def machine() -> dict:
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in _read("/proc/cpuinfo").splitlines() if ln.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kb = next((int(ln.split()[1]) for ln in _read("/proc/meminfo").splitlines() if ln.startswith("MemTotal")), 0)
    os_name = next(
        (
            ln.split("=", 1)[1].strip('"')
            for ln in _read("/etc/os-release").splitlines()
            if ln.startswith("PRETTY_NAME=")
        ),
        platform.system(),
    )
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": affinity,
        "ram_gb": round(mem_kb / 1024**2, 1),
        "os": f"{os_name}, Linux {platform.release()}" if platform.system() == "Linux" else os_name,
        "tmp": str(Path(tempfile.gettempdir())),
        "tmp_free_gb": round(shutil.disk_usage(tempfile.gettempdir()).free / GB, 1),
    }


def bytecode_state() -> dict:
    """Whether the venv's packages are compiled to bytecode, and whether Python may write it:
    without either, every stage compiles polars, scipy, … from source on each start."""
    import importlib.util

    spec = importlib.util.find_spec("polars")
    compiled = bool(spec and spec.origin and (Path(spec.origin).parent / "__pycache__").is_dir())
    return {"packages_compiled": compiled, "dont_write_bytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))}


def loadavg() -> list[float]:
    try:
        return [float(x) for x in _read("/proc/loadavg").split()[:3]]
    except ValueError:
        return []


def wait_for_idle(limit: float, cores: int, log) -> float:
    """Wait (up to `limit` seconds) until the machine's 1-minute load is below half its cores."""
    began = time.perf_counter()
    while time.perf_counter() - began < limit:
        load = loadavg()
        if load and load[0] < 0.5 * cores:
            break
        log(f"waiting for an idle machine: load {load[0] if load else '?'} (up to {limit:.0f} s)")
        time.sleep(15)
    return time.perf_counter() - began


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def versions() -> dict:
    found = {"python": platform.python_version()}
    for dist in (
        "polars",
        "duckdb",
        "dvc",
        "pandera",
        "plotly",
        "kaleido",
        "pypandoc-binary",
        "typst",
        "pyarrow",
        "statsmodels",
    ):
        try:
            found[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found[dist] = "not installed"
    try:
        import pypandoc

        found["pandoc"] = pypandoc.get_pandoc_version()
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not fatal
        found["pandoc"] = f"unknown ({exc.__class__.__name__})"
    found["typst (compiler)"] = found.pop("typst")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        try:
            found["chromium"] = (
                subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
                or "unknown"
            )
        except (OSError, subprocess.SubprocessError):
            found["chromium"] = "unknown"
    found["quarto"] = "on PATH (render uses it)" if shutil.which("quarto") else "not on PATH (embedded renderer)"
    return found


# ---------------------------------------------------------------------------------------------
# checkouts


class Workspace:
    """Fresh checkouts, all of one state of the project: HEAD (or the working tree) is taken
    once, at the start, into `source/`, and every checkout is made from that, so commits made
    while the benchmark runs do not mix into it."""

    def __init__(self, base: Path, source: str, timeout: float):
        self.base = base
        self.source = source
        self.timeout = timeout
        self.count = 0
        self.pinned = base / "source"
        env = os.environ.copy()
        if source == "head":
            run(["git", "clone", "-q", str(PROJECT), str(self.pinned)], base, env, timeout)
        else:
            files = (
                subprocess.run(
                    ["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=PROJECT, capture_output=True, check=True
                )
                .stdout.decode()
                .split("\0")
            )
            for rel in filter(None, files):
                src = PROJECT / rel
                if src.is_file() and not rel.startswith("benchmarks/"):
                    (self.pinned / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, self.pinned / rel)
        self.commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT if source != "head" else self.pinned,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def checkout(self, name: str) -> Path:
        """A fresh checkout (no outputs, no DVC cache): a `git clone` of the pinned HEAD, or a
        copy of the pinned working tree with a new git repository."""
        self.count += 1
        dest = self.base / f"{self.count:02d}-{name}"
        if self.source == "head":
            run(["git", "clone", "-q", str(self.pinned), str(dest)], self.base, os.environ.copy(), self.timeout)
        else:
            shutil.copytree(self.pinned, dest)
            run(["git", "init", "-q"], dest, os.environ.copy(), self.timeout)
        return dest

    def remove(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)


def project_env(code: Path, root: Path | None = None) -> dict[str, str]:
    """The environment for commands on a checkout: the project's venv first on PATH (DVC runs
    `python -m pipeline.<stage>`), the checkout's code first on sys.path, and its root named."""
    env = os.environ.copy()
    env.update(
        {
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "VIRTUAL_ENV": str(VENV),
            "PYTHONPATH": str(code),
            "NOEGLETAL_ROOT": str(root or code),
            "DVC_NO_ANALYTICS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.pop("PYTHONHOME", None)
    return env


def check_checkout(clone: Path, timeout: float) -> None:
    """The stages run from the checkout must import its code and find its root."""
    probe = (
        "import pipeline, pathlib; from pipeline.paths import Paths; "
        "print(pathlib.Path(pipeline.__file__).resolve()); print(Paths().root.resolve())"
    )
    for env in (project_env(clone), {k: v for k, v in project_env(clone).items() if k != "NOEGLETAL_ROOT"}):
        out = run([PYTHON, "-c", probe], clone, env, timeout).stdout.split()
        if not (out and Path(out[0]).is_relative_to(clone.resolve()) and Path(out[1]) == clone.resolve()):
            raise BenchError(f"the checkout {clone} does not import its own code or find its root: {out}")


def dvc(clone: Path, args: list[str], timeout: float) -> Run:
    """DVC in the project's clone as the project's commands run it: through its DVC entry
    (pipeline/dvc_entry.py: dvc.lock written whole), where the checkout has one."""
    entry = "pipeline.dvc_entry" if (clone / "pipeline" / "dvc_entry.py").is_file() else "dvc"
    return run([PYTHON, "-m", entry, *args], clone, project_env(clone), timeout)


def ran_stages(output: str) -> list[str]:
    return re.findall(r"^Running stage '([^']+)'", output, flags=re.M)


def stage_order(clone: Path) -> list[tuple[str, str]]:
    """The stages of dvc.yaml with their commands, in dvc.yaml's order except where a stage
    depends on a later stage's output: then after it (a stable topological order), so that
    `--single-item` and the bare commands each find their inputs."""
    spec = yaml.safe_load((clone / "dvc.yaml").read_text(encoding="utf-8"))
    stages = spec["stages"]

    def paths(entries):
        for entry in entries or []:
            yield next(iter(entry)) if isinstance(entry, dict) else entry

    def under(path: str, out: str) -> bool:
        return path == out or path.startswith(out.rstrip("/") + "/") or out.startswith(path.rstrip("/") + "/")

    outs = {name: list(paths(stage.get("outs"))) for name, stage in stages.items()}
    needs = {
        name: {
            other
            for other in stages
            if other != name
            for dep in paths(stage.get("deps"))
            for out in outs[other]
            if under(dep, out)
        }
        for name, stage in stages.items()
    }
    order: list[str] = []
    while len(order) < len(stages):
        ready = [n for n in stages if n not in order and needs[n] <= set(order)]
        if not ready:
            raise BenchError(f"dvc.yaml's stages depend on each other in a cycle: {needs}")
        order.append(ready[0])
    return [(name, stages[name]["cmd"]) for name in order]


def bump_raw_value(clone: Path) -> str:
    """Change one figure of one raw release by one (the Danish-formatted `value` field)."""
    rel, series, year = RAW_CHANGE
    path = clone / rel
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    i_series, i_year, i_value = header.index("series"), header.index("reference_year"), header.index("value")
    for row in rows[1:]:
        if row and row[i_series] == series and row[i_year] == year:
            old = row[i_value]
            new = int(old.replace(".", "")) + 1
            row[i_value] = f"{new:,}".replace(",", ".")
            with path.open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh, lineterminator="\n").writerows(rows)
            return f"{rel}: {series} {year} {old} → {row[i_value]}"
    raise BenchError(f"{rel} has no {series} {year} row to change; update RAW_CHANGE in benchmarks/run.py")


# ---------------------------------------------------------------------------------------------
# 1–3: DVC and render


def bench_dvc(ws: Workspace, repeat: int, timeout: float, results: dict, log) -> None:
    res = results.setdefault(
        "dvc",
        {
            "cold_total": [],
            "noop": [],
            "raw_change": [],
            "single_item": {},
            "bare": {},
            "bare_rss_kb": {},
            "floor_noop": [],
            "dvc_version_seconds": [],
            "render_steps": [],
            "render_probe": [],
            "notes": [],
        },
    )
    first = ws.checkout("check")
    check_checkout(first, timeout)
    order = stage_order(first)
    res["stages"] = [name for name, _ in order]
    ws.remove(first)
    floor_repo = _dvc_floor_setup(ws, timeout)
    for i in range(repeat):
        try:
            _dvc_repeat(ws, i, repeat, order, timeout, res, log, floor_repo)
        except BenchError as exc:
            # one failed run does not void the others; it is reported with the results
            res.setdefault("failures", []).append(f"run {i + 1}: {exc}")
            results["errors"].append(f"sections 1–3, run {i + 1}: {exc}")
            log(f"[dvc {i + 1}/{repeat}] FAILED: {str(exc).splitlines()[0]}")
    ws.remove(floor_repo)


def _dvc_repeat(
    ws: Workspace, i: int, repeat: int, order: list[tuple[str, str]], timeout: float, res: dict, log, floor_repo: Path
) -> None:
    # 1. cold total, then no-op, then one raw change
    clone = ws.checkout("cold-total")
    log(f"[dvc {i + 1}/{repeat}] cold dvc repro (total)")
    cold = dvc(clone, ["repro"], timeout)
    ran = ran_stages(cold.stdout)
    if set(ran) != set(res["stages"]):
        raise BenchError(f"the cold `dvc repro` ran {ran}, not every stage {res['stages']}")
    res["cold_total"].append(cold.seconds)
    # no-ops, alternating with DVC's floor so that both see the same load
    for k in range(NOOP_SAMPLES):
        log(f"[dvc {i + 1}/{repeat}] no-op dvc repro, and the floor's ({k + 1}/{NOOP_SAMPLES})")
        noop = dvc(clone, ["repro"], timeout)
        if ran_stages(noop.stdout):
            raise BenchError(f"a second `dvc repro` was not a no-op: it ran {ran_stages(noop.stdout)}")
        res["noop"].append(noop.seconds)
        env = project_env(floor_repo)
        floor = run([PYTHON, "-m", "dvc", "repro"], floor_repo, env, timeout)
        if ran_stages(floor.stdout):
            raise BenchError("a `dvc repro` in the floor repository was not a no-op")
        res["floor_noop"].append(floor.seconds)
    res["dvc_version_seconds"].append(
        run([PYTHON, "-m", "dvc", "--version"], floor_repo, project_env(floor_repo), timeout).seconds
    )
    change = bump_raw_value(clone)
    log(f"[dvc {i + 1}/{repeat}] dvc repro after one raw change ({change})")
    changed = dvc(clone, ["repro"], timeout)
    res["raw_change"].append(changed.seconds)
    res["raw_change_desc"] = change
    res["raw_change_stages"] = ran_stages(changed.stdout)
    ws.remove(clone)

    # 1. per stage through DVC
    clone = ws.checkout("single-item")
    for name, _ in order:
        log(f"[dvc {i + 1}/{repeat}] dvc repro --single-item {name}")
        one = dvc(clone, ["repro", "--single-item", name], timeout)
        if ran_stages(one.stdout) != [name]:
            raise BenchError(f"`dvc repro --single-item {name}` ran {ran_stages(one.stdout)}")
        res["single_item"].setdefault(name, []).append(one.seconds)
    ws.remove(clone)

    # 1./3. each stage's bare command; the render stage cold; then pandoc and typst alone
    clone = ws.checkout("bare")
    for name, cmd in order:
        log(f"[dvc {i + 1}/{repeat}] bare: {cmd}")
        one = run(["sh", "-c", cmd], clone, project_env(clone), timeout)
        res["bare"].setdefault(name, []).append(one.seconds)
        res["bare_rss_kb"].setdefault(name, []).append(one.maxrss_kb)
        if name == "render":
            steps = re.search(r"^render: (.*)$", one.stdout, flags=re.M)
            if steps:
                res["render_steps"].append({k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+) s", steps.group(1))})
    for name, cmd in order:
        module = re.search(r"-m\s+(\S+)", cmd)
        if module:
            log(f"[dvc {i + 1}/{repeat}] import only: {module.group(1)}")
            imp = run([PYTHON, "-c", f"import {module.group(1)}"], clone, project_env(clone), timeout)
            res.setdefault("import_only", {}).setdefault(name, []).append(imp.seconds)
    log(f"[dvc {i + 1}/{repeat}] render probe: pandoc alone, typst alone")
    probe = run([PYTHON, str(CHILD), "render-probe", str(clone)], clone, project_env(clone), timeout)
    res["render_probe"].append(probe.json_line())
    ws.remove(clone)


def _dvc_floor_setup(ws: Workspace, timeout: float) -> Path:
    """DVC's own no-op floor: a fresh git repository with `dvc init` and one stage whose
    command does nothing (`true`), one tiny dependency and one output, run once."""
    floor_repo = ws.base / "dvc-floor"
    floor_repo.mkdir()
    env = project_env(floor_repo)
    run(["git", "init", "-q"], floor_repo, env, timeout)
    run([PYTHON, "-m", "dvc", "init", "-q"], floor_repo, env, timeout)
    run([PYTHON, "-m", "dvc", "config", "core.analytics", "false"], floor_repo, env, timeout)
    run([PYTHON, "-m", "dvc", "config", "core.check_update", "false"], floor_repo, env, timeout)
    (floor_repo / "in.txt").write_text("in\n")
    (floor_repo / "out.txt").write_text("out\n")
    (floor_repo / "dvc.yaml").write_text(
        "stages:\n  nothing:\n    cmd: 'true'\n    deps: [in.txt]\n"
        "    outs:\n      - out.txt:\n          cache: false\n          persist: true\n"
    )
    first = run([PYTHON, "-m", "dvc", "repro"], floor_repo, env, timeout)
    if ran_stages(first.stdout) != ["nothing"]:
        raise BenchError(f"the floor repository's first `dvc repro` did not run its stage:\n{first.stdout}")
    return floor_repo


# ---------------------------------------------------------------------------------------------
# 4–5: core scaling and the DuckDB floor


def data_format(clone: Path, timeout: float) -> str:
    out = run(
        [PYTHON, "-c", "from pipeline import schemas; print(*getattr(schemas, 'OPTIONAL_RELEASE_COLUMNS', ()))"],
        clone,
        project_env(clone),
        timeout,
    ).stdout.split()
    return "monthly" if {"month", "region"} <= set(out) else "yearly"


def clean_outputs(root: Path) -> None:
    for rel in ("data/ingested", "data/validated", "data/derived", "outputs"):
        shutil.rmtree(root / rel, ignore_errors=True)
    for p in root.glob("floor_*.parquet"):
        p.unlink()


def compare_floor(root: Path, variant: str) -> dict:
    """Do the floor and the pipeline compute the same figures? Every (release, series, year)
    of the pipeline's derived figures against the floor's, observed sums and months; for the
    synthetic series also the linear full-year value (shipped figures counted to a day inside
    the last month use fractional months in the pipeline, not in this floor)."""
    import polars as pl

    derived = pl.read_parquet(root / "data/derived/figures_full_year.parquet")
    floor = pl.read_parquet(root / f"floor_{variant}.parquet")
    key = ["release_id", "series", "reference_year"]
    joined = derived.select(*key, "observed_value", "months_covered", "value_unrounded").join(
        floor.with_columns(pl.col("reference_year").cast(pl.Int64)), on=key, how="full", coalesce=True
    )
    missing = joined.filter(pl.col("observed_value").is_null() | pl.col("observed_value_right").is_null()).height
    synthetic = pl.col("series").str.starts_with("syn_")
    bad = joined.filter(
        ((pl.col("observed_value") - pl.col("observed_value_right")).abs() > 1e-6)
        | (pl.col("months_covered").fill_null(-1) != pl.col("months_observed").fill_null(-1))
        | (synthetic & ((pl.col("value_unrounded") - pl.col("value_full_year")).abs() > 1e-6))
    ).height
    return {"figures": derived.height, "floor_figures": floor.height, "unmatched": missing, "differ": bad}


def bench_scaling(
    ws: Workspace, repeat: int, max_rows: int, timeout: float, mem_limit_kb: int, results: dict, log
) -> None:
    res = results.setdefault("scaling", {"sizes": [], "notes": []})
    code = ws.checkout("core-code")
    check_checkout(code, timeout)
    fmt = data_format(code, timeout)
    res["format"] = fmt
    if fmt != "monthly":
        res["notes"].append(
            "This checkout has no optional month/region columns: synthetic data is yearly national "
            "rows (benchmarks/synth.py --format yearly)."
        )
    failed_before = None
    for label, rows in SIZES:
        if rows > max_rows:
            continue
        entry = {"label": label, "target_rows": rows}
        res["sizes"].append(entry)
        if failed_before:
            entry["skipped"] = f"not run: the core failed at {failed_before}"
            continue
        root = ws.base / f"synth-{label}"
        try:
            need = rows * 130 * 3 + 200 * 1024**2  # CSV, plus DuckDB file and Parquet copies of it
            free = shutil.disk_usage(ws.base).free
            if need > free:
                raise BenchError(f"needs ≈{need / GB:.1f} GB free in {ws.base}, has {free / GB:.1f} GB")
            log(f"[scaling {label}] generating {rows:,} synthetic rows ({fmt})")
            args = [PYTHON, str(SYNTH), str(root), "--rows", str(rows), "--format", fmt, "--source", str(code)]
            if rows == 0:
                args.append("--shipped-only")
            gen = run(args, ws.base, project_env(code, root), timeout)
            entry["data"] = gen.json_line()
            entry["generate_seconds"] = gen.seconds
            core_failed = None
            for i in range(repeat):
                clean_outputs(root)
                if not core_failed:
                    log(f"[scaling {label} {i + 1}/{repeat}] core (ingest → extrapolate → tables)")
                    core = run(
                        [PYTHON, str(CHILD), "core", str(root)],
                        root,
                        project_env(code, root),
                        timeout,
                        mem_limit_kb,
                        check=False,
                    )
                    if core.returncode != 0 or core.timed_out or core.memory_killed:
                        core_failed = core.describe()
                        entry["core_failure"] = {
                            "seconds": core.seconds,
                            "memory_killed": core.memory_killed,
                            "timed_out": core.timed_out,
                            "peak_sampled_kb": core.peak_sampled_kb,
                            "maxrss_kb": core.maxrss_kb,
                            "describe": core_failed,
                        }
                        log(f"[scaling {label}] core FAILED: {core_failed.splitlines()[0]}")
                    else:
                        info = core.json_line()
                        if not Path(info["pipeline_file"]).resolve().is_relative_to(code.resolve()):
                            raise BenchError(f"the core ran {info['pipeline_file']}, not the checkout's code")
                        info["wall_seconds"] = core.seconds
                        info["peak_rss_kb"] = max(info.get("peak_rss_kb") or 0, core.maxrss_kb)
                        entry.setdefault("core", []).append(info)
                for variant in ("varchar", "typed"):
                    log(f"[scaling {label} {i + 1}/{repeat}] DuckDB floor ({variant})")
                    fl = run(
                        [PYTHON, str(CHILD), "floor", str(root), variant],
                        root,
                        project_env(code, root),
                        timeout,
                        mem_limit_kb,
                    )
                    finfo = fl.json_line()
                    finfo |= {"wall_seconds": fl.seconds, "peak_rss_kb": fl.maxrss_kb}
                    entry.setdefault(f"floor_{variant}", []).append(finfo)
            if core_failed:
                raise BenchError(f"core failed: {core_failed}")
            entry["floor_check"] = {v: compare_floor(root, v) for v in ("varchar", "typed")}
            if label == QUOTED_SIZE:
                bench_quoted(ws, code, root, rows, fmt, repeat, timeout, mem_limit_kb, entry, log)
        except BenchError as exc:
            entry["error"] = str(exc)
            failed_before = label
            log(f"[scaling {label}] FAILED: {str(exc).splitlines()[0]}")
        finally:
            ws.remove(root)
    ws.remove(code)


def bench_quoted(
    ws: Workspace,
    code: Path,
    plain: Path,
    rows: int,
    fmt: str,
    repeat: int,
    timeout: float,
    mem_limit_kb: int,
    entry: dict,
    log,
) -> None:
    """The core on the same synthetic data with every text field quoted (`synth.py --quoted`,
    same seed, so the same figures): its peak RSS against the plain files' (`entry`'s core).
    The derived figures must be byte for byte the plain run's."""
    root = ws.base / f"synth-{entry['label']}-quoted"
    res = entry.setdefault("quoted", {"core": []})
    try:
        log(f"[scaling {entry['label']} quoted] generating {rows:,} synthetic rows, every text field quoted")
        gen = run(
            [PYTHON, str(SYNTH), str(root), "--rows", str(rows), "--format", fmt, "--source", str(code), "--quoted"],
            ws.base,
            project_env(code, root),
            timeout,
        )
        res["data"] = gen.json_line()
        for i in range(repeat):
            clean_outputs(root)
            log(f"[scaling {entry['label']} quoted {i + 1}/{repeat}] core")
            core = run(
                [PYTHON, str(CHILD), "core", str(root)],
                root,
                project_env(code, root),
                timeout,
                mem_limit_kb,
                check=False,
            )
            if core.returncode != 0 or core.timed_out or core.memory_killed:
                res["failure"] = core.describe()
                return
            info = core.json_line()
            info["wall_seconds"] = core.seconds
            info["peak_rss_kb"] = max(info.get("peak_rss_kb") or 0, core.maxrss_kb)
            res["core"].append(info)
        figures = "data/derived/figures_full_year.parquet"
        res["same_figures"] = (root / figures).read_bytes() == (plain / figures).read_bytes()
    except BenchError as exc:
        res["failure"] = str(exc)
    finally:
        ws.remove(root)


# ---------------------------------------------------------------------------------------------
# results.md


def fmt_s(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def spread(values: list[float], digits: int = 2) -> str:
    """median, and the range when there is more than one run."""
    if not values:
        return "–"
    if len(values) == 1:
        return fmt_s(values[0], digits)
    return f"{fmt_s(median(values), digits)} ({fmt_s(min(values), digits)}–{fmt_s(max(values), digits)})"


def gb(kb: float | None) -> str:
    return "–" if not kb else f"{kb / 1024**2:.2f}"


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**missed**")


def evaluate(results: dict) -> list[tuple[str, str, str, str]]:
    """(target, measured, limit, verdict) rows."""
    rows = []
    d = results.get("dvc", {})
    noop, floor = median(d.get("noop", [])), median(d.get("floor_noop", []))
    ratio = noop / floor if noop and floor else None
    rows.append(
        (
            "No-op `dvc repro` / DVC's no-op floor",
            f"{fmt_s(ratio)} ({fmt_s(noop)} s / {fmt_s(floor)} s)" if ratio else "–",
            f"≤ {TARGETS['noop_ratio']}",
            verdict(None if ratio is None else ratio <= TARGETS["noop_ratio"]),
        )
    )
    render = median(d.get("bare", {}).get("render", []))
    rows.append(
        (
            "Cold render, HTML and PDF (`python -m pipeline.render`)",
            f"{fmt_s(render)} s" if render else "–",
            f"< {TARGETS['render_seconds']:.0f} s",
            verdict(None if render is None else render < TARGETS["render_seconds"]),
        )
    )

    for key, label, target in (
        ("cold_total", "Cold `dvc repro` of the shipped pipeline (fresh clone)", "cold_repro_seconds"),
        ("raw_change", "`dvc repro` after one raw value changed", "change_repro_seconds"),
    ):
        t = median(d.get(key, []))
        rows.append(
            (
                label,
                f"{fmt_s(t)} s" if t else "–",
                f"≤ {TARGETS[target]:.0f} s",
                verdict(None if t is None else t <= TARGETS[target]),
            )
        )

    sizes = {e["label"]: e for e in results.get("scaling", {}).get("sizes", [])}
    big, small = sizes.get("10M"), sizes.get("100k")

    def med(entry, key, name):
        runs = entry.get(key, []) if entry else []
        return median([r[name] for r in runs]) if runs else None

    failure = big.get("core_failure") if big else None
    # a core that does not complete at 10M rows misses every 10M target
    failed = False if failure else None

    core10 = med(big, "core", "wall_seconds")
    # Two floors: DuckDB reading every field as text and parsing numbers the Danish way, as
    # the format requires of any reader; and DuckDB told the column types, which is right
    # only for this synthetic data (plain integers). Each gets its own verdict.
    for variant, label, target in (
        ("floor_varchar", "every field as text, as the format requires", "core_floor_ratio"),
        ("floor_typed", "column types declared, valid for this data only", "core_floor_ratio_typed"),
    ):
        floor10 = med(big, variant, "wall_seconds")
        r = core10 / floor10 if core10 and floor10 else None
        if failure:
            measured = f"did not complete ({_failure_text(failure)}); floor {fmt_s(floor10, 1)} s"
        else:
            measured = f"{fmt_s(r, 1)} ({fmt_s(core10, 1)} s / {fmt_s(floor10, 1)} s)" if r else _why(big)
        rows.append(
            (
                f"Core at 10M rows / DuckDB floor ({label})",
                measured,
                f"≤ {TARGETS[target]}",
                verdict(failed if failure or r is None else r <= TARGETS[target]),
            )
        )
    peak = max((c["peak_rss_kb"] for c in big.get("core", [])), default=None) if big else None
    if failure and failure.get("memory_killed"):
        measured = f"> {gb(failure['peak_sampled_kb'])} GB (stopped by the memory guard)"
    elif failure:
        measured = f"did not complete ({_failure_text(failure)})"
    else:
        measured = f"{gb(peak)} GB" if peak else _why(big)
    rows.append(
        (
            "Core peak memory at 10M rows (RSS, largest run)",
            measured,
            f"< {TARGETS['core_peak_gb']:.0f} GB",
            verdict(failed if failure or not peak else peak / 1024**2 < TARGETS["core_peak_gb"]),
        )
    )
    per = {}
    for name, entry in (("10M", big), ("100k", small)):
        t = med(entry, "core", "core_seconds")
        n = entry.get("data", {}).get("rows") if entry else None
        per[name] = t / n if t and n else None
    pr = per["10M"] / per["100k"] if per["10M"] and per["100k"] else None
    if failure:
        measured = f"did not complete at 10M ({_failure_text(failure)})"
    else:
        measured = (
            f"{fmt_s(pr)} ({fmt_s(per['10M'] * 1e6 if per['10M'] else None)} µs / "
            f"{fmt_s(per['100k'] * 1e6 if per['100k'] else None)} µs)"
            if pr
            else _why(big or small)
        )
    rows.append(
        (
            "Time per row, 10M / 100k (core in-process time)",
            measured,
            f"≤ {TARGETS['per_row_ratio']}",
            verdict(failed if failure or pr is None else pr <= TARGETS["per_row_ratio"]),
        )
    )
    rows.append(quoted_row(sizes.get(QUOTED_SIZE)))
    return rows


def quoted_row(entry: dict | None) -> tuple[str, str, str, str]:
    """A quoted file's core peak RSS against the same rows unquoted."""
    label = f"Core peak memory, {QUOTED_SIZE} rows with every text field quoted / the same unquoted (RSS)"
    limit = f"≤ {TARGETS['quoted_rss_ratio']}"
    quoted = (entry or {}).get("quoted")
    if not quoted:
        return label, _why(entry), limit, verdict(None)
    if quoted.get("failure"):
        return label, "did not complete: " + quoted["failure"].splitlines()[0][:200], limit, verdict(False)
    q = max((c["peak_rss_kb"] for c in quoted["core"]), default=None)
    p = max((c["peak_rss_kb"] for c in entry.get("core", [])), default=None)
    if not q or not p:
        return label, "–", limit, verdict(None)
    same = "" if quoted.get("same_figures") else "; **the figures differ from the unquoted run's**"
    ok = q / p <= TARGETS["quoted_rss_ratio"] and quoted.get("same_figures")
    return label, f"{q / p:.2f} ({gb(q)} GB / {gb(p)} GB){same}", limit, verdict(ok)


def _failure_text(failure: dict) -> str:
    if failure.get("memory_killed"):
        return f"stopped by the memory guard at {gb(failure['peak_sampled_kb'])} GB after {failure['seconds']:.0f} s"
    if failure.get("timed_out"):
        return f"timed out after {failure['seconds']:.0f} s"
    return "failed: " + failure["describe"].splitlines()[0][:200]


def _why(entry: dict | None) -> str:
    if not entry:
        return "not run (size not selected)"
    if entry.get("error"):
        return "failed: " + entry["error"].splitlines()[0][:200]
    if entry.get("skipped"):
        return entry["skipped"]
    return "–"


def write_markdown(results: dict, path: Path) -> None:
    m, v, meta = results["machine"], results["versions"], results["meta"]
    out = []
    w = out.append
    w("# Benchmark results")
    w("")
    if meta.get("quick"):
        w("> **Quick smoke run** (`--quick`): one run each and small sizes only; not a measurement to quote.")
        w("")
    w(
        f"Measured {meta['date']} in {meta['duration_s'] / 60:.1f} min with `{meta['command']}`; "
        f"benchmarked checkout: {meta['source_desc']}. Every time is wall-clock seconds, the median of "
        f"{meta['repeat']} run(s) with the range in brackets. Raw numbers: `benchmarks/{meta['json_name']}`."
    )
    w("")
    w("## Machine")
    w("")
    w(f"- CPU: {m['cpu']}; {m['cores']} logical cores ({m['cores_usable']} usable by this process)")
    w(f"- RAM: {m['ram_gb']} GB")
    w(f"- OS: {m['os']}")
    w(f"- Temporary files: {m['tmp']} ({m['tmp_free_gb']} GB free at the start)")
    loads = results.get("load", [])
    if loads:
        w(
            "- Load average (1, 5, 15 min): "
            + "; ".join(f"{x['when']} {', '.join(f'{v:.2f}' for v in x['loadavg'])}" for x in loads)
        )
        busy = max((x["loadavg"][0] for x in loads if x["loadavg"]), default=0)
        if busy > 0.5 * (m["cores"] or 1):
            w("")
            w(
                f"> **The machine was not idle** (1-minute load up to {busy:.1f} on {m['cores']} cores: other "
                "processes were running). Times are inflated by an unknown amount; compare ratios measured in the "
                "same run rather than absolute seconds, and re-run on an idle machine for absolute figures."
            )
    code = meta.get("bytecode") or {}
    if code and not code.get("packages_compiled"):
        w("")
        w(
            "> **The venv's packages are not compiled to bytecode**"
            + (
                " and Python may not write it here (`PYTHONDONTWRITEBYTECODE`)"
                if code.get("dont_write_bytecode")
                else ""
            )
            + ": every stage may compile its libraries from source on start, which inflates start-up. "
            "`bash bin/uv sync --frozen --compile-bytecode` (as `bin/pipeline` and `bin/test` do) compiles them once."
        )
    w("")
    w("## Versions")
    w("")
    w("| " + " | ".join(v) + " |")
    w("|" + "---|" * len(v))
    w("| " + " | ".join(str(x) for x in v.values()) + " |")
    w("")
    w("## Targets")
    w("")
    w("| target | measured | limit | |")
    w("|---|---|---|---|")
    targets = evaluate(results)
    for row in targets:
        w("| " + " | ".join(row) + " |")
    w("")
    missed = [row[0] for row in targets if row[3] == verdict(False)]
    if missed:
        w("Why targets are missed:")
        w("")
        for label in missed:
            why = next(
                (text for start, text in WHY_MISSED.items() if label.startswith(start)), "see the sections below"
            )
            w(f"- *{label}*: {why}")
        w("")
    if results.get("errors"):
        w("**Failures:**")
        w("")
        for err in results["errors"]:
            w("```")
            w(err.strip())
            w("```")
        w("")

    d = results.get("dvc")
    if d and d.get("stages"):
        w("## 1. Cold `dvc repro` of the shipped pipeline")
        w("")
        w(
            "A fresh `git clone` (no DVC cache, no outputs) for each run. Every `dvc` command in a clone runs as "
            "`noegletal run` runs it, through `pipeline/dvc_entry.py` (DVC itself, writing `dvc.lock` whole). "
            "*Total*: one `dvc repro` in the clone. "
            "*Through DVC*: `dvc repro --single-item <stage>` for each stage, in `dvc.yaml`'s order (a stage that reads "
            "a later stage's output moved after it), in another fresh clone (each includes DVC's own start-up and "
            "checks). *Bare*: each stage's `cmd` run directly, in order, "
            "in a third fresh clone (no DVC), with that process's peak RSS."
        )
        w("")
        w(
            "| stage | through DVC (s) | bare command (s) | … of which start-up: `python -c 'import <module>'` (s) "
            "| DVC's share (s) | bare peak RSS (GB) |"
        )
        w("|---|---:|---:|---:|---:|---:|")
        imports = d.get("import_only", {})
        for name in d["stages"]:
            si, bare = d["single_item"].get(name, []), d["bare"].get(name, [])
            share = median(si) - median(bare) if si and bare else None
            label = f"**{name}**" if name in ("charts", "render") else name
            rss = max(d["bare_rss_kb"].get(name, [0]), default=0)
            w(
                f"| {label} | {spread(si)} | {spread(bare)} | {spread(imports.get(name, []))} | {fmt_s(share)} "
                f"| {gb(rss)} |"
            )
        total_si = [sum(x) for x in zip(*(d["single_item"][n] for n in d["stages"]))]
        total_bare = [sum(x) for x in zip(*(d["bare"][n] for n in d["stages"]))]
        total_imp = [sum(x) for x in zip(*(imports[n] for n in d["stages"] if n in imports))] if imports else []
        w(
            f"| sum of stages | {spread(total_si)} | {spread(total_bare)} | {spread(total_imp)} | "
            f"{fmt_s(median(total_si) - median(total_bare)) if total_si and total_bare else '–'} | |"
        )
        w(f"| **one cold `dvc repro` (total)** | {spread(d['cold_total'])} | | | | |")
        w("")
        charts, render = median(d["bare"].get("charts", [])), median(d["bare"].get("render", []))
        core = sum(median(d["bare"][n]) for n in ("ingest", "validate", "extrapolate", "tables") if n in d["bare"])
        cold = median(d["cold_total"])
        if cold:
            w(
                f"Of the bare commands, chart export (`charts`) takes {fmt_s(charts)} s and the report render "
                f"(`render`) {fmt_s(render)} s; the core stages together {fmt_s(core)} s. A cold `dvc repro` "
                f"takes {fmt_s(cold)} s."
            )
            w("")
        w("## 2. No-op and one-change `dvc repro`")
        w("")
        w("| what | s | |")
        w("|---|---:|---|")
        w(
            f"| no-op `dvc repro` right after a complete run ({len(d['noop'])} samples) | {spread(d['noop'])} | "
            "nothing ran |"
        )
        w(
            f"| `dvc repro` after one raw change ({d.get('raw_change_desc', '')}) | {spread(d['raw_change'])} | "
            f"ran: {', '.join(d.get('raw_change_stages', []))} |"
        )
        w(
            f"| DVC's no-op floor: `dvc repro` in a fresh one-stage repository (`cmd: true`, one dep, one out; "
            f"{len(d['floor_noop'])} samples, each right after a pipeline no-op) | {spread(d['floor_noop'])} | "
            "nothing ran |"
        )
        w(f"| for scale: `python -m dvc --version` | {spread(d['dvc_version_seconds'])} | |")
        noop, floor = median(d["noop"]), median(d["floor_noop"])
        if noop and floor:
            w("")
            w(f"Ratio pipeline no-op / floor: **{noop / floor:.2f}** (target ≤ {TARGETS['noop_ratio']}).")
        w("")
        w("## 3. Cold render")
        w("")
        probe = d.get("render_probe", [])
        steps = d.get("render_steps", [])

        def pm(key):
            return spread([p[key] for p in probe if key in p])

        w(
            "The render stage alone (`python -m pipeline.render` in a fresh clone after the other stages, so a new "
            "Jupyter kernel, cold), its own step timings, and pandoc and typst alone on the very documents it "
            "feeds them: the render probe (`benchmarks/_child.py render-probe`) rebuilds the markdown with "
            "`pipeline.render`'s functions (parse, execute, `report_markdown`) and then times the pandoc binary "
            "(`pypandoc.get_pandoc_path()`, the renderer's own arguments) and `typst.compile` (the same call) on it."
        )
        w("")
        w("| what | s |")
        w("|---|---:|")
        w(f"| **render stage, cold (HTML + PDF), whole process** | {spread(d['bare'].get('render', []))} |")
        w(f"| … through DVC (`dvc repro --single-item render`) | {spread(d['single_item'].get('render', []))} |")
        for key in ("parse", "execute", "markdown", "convert", "html", "typst"):
            vals = [s[key] for s in steps if key in s]
            if vals:
                label = {
                    "parse": "parse the .qmd",
                    "execute": "execute the cells (Jupyter kernel)",
                    "markdown": "the markdown for each format",
                    "convert": "markdown → HTML (pandoc) and → Typst → PDF (pandoc + typst), side by side",
                    "html": "markdown → HTML (pandoc, plotly.js embedded)",
                    "typst": "markdown → Typst → PDF (pandoc + typst)",
                }[key]
                w(f"| … step as the renderer reports it: {label} | {spread(vals, 1)} |")
        w(
            f"| … `report_markdown` for HTML / for Typst (the latter converts all float captions in one pandoc run) | "
            f"{pm('to_markdown_html_seconds')} / {pm('to_markdown_typst_seconds')} |"
        )
        w(f"| pandoc alone: markdown → standalone HTML, resources embedded | {pm('pandoc_html_seconds')} |")
        w(
            f"| pandoc alone: the same markdown without the inline plotly.js bundle (diagnostic) | "
            f"{pm('pandoc_html_no_plotlyjs_seconds')} |"
        )
        w(f"| pandoc alone: markdown → Typst | {pm('pandoc_typst_seconds')} |")
        w(f"| typst alone: Typst → PDF | {pm('typst_seconds')} |")
        w(f"| (probe) parse + execute in one process | {pm('parse_execute_seconds')} |")
        if probe:
            p = probe[-1]
            w("")
            w(
                f"Document sizes: markdown for HTML {p['markdown_html_bytes'] / 1e6:.2f} MB, HTML "
                f"{p['html_bytes'] / 1e6:.2f} MB; markdown for Typst {p['markdown_typst_bytes'] / 1e3:.0f} kB, "
                f"Typst source {p['typst_source_bytes'] / 1e3:.0f} kB, PDF {p['pdf_bytes'] / 1e3:.0f} kB."
            )
        w("")

    s = results.get("scaling")
    if s and s.get("sizes"):
        w("## 4–5. Core scaling against the DuckDB floor")
        w("")
        w(
            f"Synthetic raw data from `benchmarks/synth.py` ({s.get('format')} format): the shipped raw data plus "
            "synthetic flow series, one release file per reference year 2016–2024, one row per series × month × "
            "region (98 regions), 2024 partial (January–September), values plain integers; `params.yaml` gets a "
            "table `S.1` of three synthetic series. *Core*: `pipeline.core_stages` stages (ingest, which reads, types and "
            "validates → extrapolate → tables) in a fresh process per run (`benchmarks/_child.py core`); *wall* is the whole process "
            "(interpreter start and imports included), *in-process* the stages alone. *Floor*: DuckDB alone "
            "(same version), a fresh process per run, reading the same release CSV files and computing per "
            "release, series and year the sum over months and regions, the months observed and the linear "
            "full-year value, written to Parquet — one SQL statement (`benchmarks/_child.py floor`). *varchar*: "
            "every field as text with the format's Danish number parsing; *typed*: the synthetic files with "
            "declared column types (valid only because they hold plain integers). Peak RSS: the process's peak "
            "resident set size."
        )
        w("")
        for note in s.get("notes", []):
            w(f"> {note}")
            w("")
        base = next((e for e in s["sizes"] if e["label"] == "shipped" and e.get("core")), None)
        base_t = median([c["core_seconds"] for c in base["core"]]) if base else None
        base_n = base["data"]["rows"] if base else 0
        w(
            "| size | rows | CSV MB | core wall (s) | core in-process (s) | rows/s (in-process) | µs/row marginal "
            "| core peak RSS (GB) | floor varchar (s) | floor typed (s) | floor peak RSS (GB) | core / floor varchar "
            "| core / floor typed |"
        )
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for e in s["sizes"]:
            data = e.get("data", {})
            core = e.get("core", [])
            if not core:
                fv = [f["wall_seconds"] for f in e.get("floor_varchar", [])]
                ft = [f["wall_seconds"] for f in e.get("floor_typed", [])]
                frss = max((f["peak_rss_kb"] for f in e.get("floor_varchar", []) + e.get("floor_typed", [])), default=0)
                why = _failure_text(e["core_failure"]) if e.get("core_failure") else _why(e)
                rows = f"{data['rows']:,}" if data else "–"
                size = f"{data.get('bytes', 0) / 1e6:,.0f}" if data else ""
                w(f"| {e['label']} | {rows} | {size} | {why} | | | | | {spread(fv)} | {spread(ft)} | {gb(frss)} | | |")
                continue
            rows = data.get("rows", 0)
            wall = [c["wall_seconds"] for c in core]
            inproc = [c["core_seconds"] for c in core]
            fv = [f["wall_seconds"] for f in e.get("floor_varchar", [])]
            ft = [f["wall_seconds"] for f in e.get("floor_typed", [])]
            frss = max((f["peak_rss_kb"] for f in e.get("floor_varchar", []) + e.get("floor_typed", [])), default=0)
            marginal = (
                (median(inproc) - base_t) / (rows - base_n) * 1e6 if base_t is not None and rows > base_n else None
            )
            w(
                f"| {e['label']} | {rows:,} | {data.get('bytes', 0) / 1e6:,.0f} | {spread(wall)} | {spread(inproc)} | "
                f"{rows / median(inproc):,.0f} | {fmt_s(marginal)} | {gb(max(c['peak_rss_kb'] for c in core))} | "
                f"{spread(fv)} | "
                f"{spread(ft)} | {gb(frss)} | "
                f"{fmt_s(median(wall) / median(fv), 1) if fv else '–'} | "
                f"{fmt_s(median(wall) / median(ft), 1) if ft else '–'} |"
            )
        w("")
        w(
            "*µs/row marginal*: (in-process time − the shipped size's in-process time) / (rows − shipped rows), "
            "i.e. the cost of each added row without the fixed costs (imports inside the stages, DuckDB "
            "start-up, the shipped data) that the per-row target's smaller size also carries."
        )
        w("")
        w("Per stage of the core (in-process seconds, median; peak RSS of each stage in GB, largest run):")
        w("")
        names = tuple(dict.fromkeys(n for e in s["sizes"] for c in e.get("core", []) for n in c.get("stages", {})))
        w("| size | interpreter + imports | " + " | ".join(names) + " |")
        w("|---|---:|" + "---:|" * len(names))
        for e in s["sizes"]:
            core = e.get("core", [])
            if not core:
                continue
            cells = []
            for n in names:
                secs = [c["stages"][n]["seconds"] for c in core if n in c.get("stages", {})]
                rss = [c["stages"][n]["peak_rss_kb"] or 0 for c in core if n in c.get("stages", {})]
                cells.append(f"{fmt_s(median(secs))} s / {gb(max(rss, default=0))} GB")
            w(f"| {e['label']} | {fmt_s(median([c['import_seconds'] for c in core]))} s | " + " | ".join(cells) + " |")
        w("")
        checks = [(e["label"], e["floor_check"]) for e in s["sizes"] if e.get("floor_check")]
        if checks:
            w(
                "Same answers? The floor's figures against the pipeline's `data/derived/figures_full_year.parquet` "
                "(observed sums and months for every figure; the linear full-year value for the synthetic ones):"
            )
            w("")
            for label, check in checks:
                parts = [
                    f"{v}: {c['figures']:,} figures, {c['unmatched']} unmatched, {c['differ']} differing"
                    for v, c in check.items()
                ]
                w(f"- {label}: " + "; ".join(parts))
            w("")
        for e in s["sizes"]:
            quoted = e.get("quoted")
            if quoted and quoted.get("core"):
                qc = quoted["core"]
                w(
                    f"Quoted files ({e['label']}): the same synthetic rows with every text field quoted "
                    f"(`synth.py --quoted`, {quoted.get('data', {}).get('bytes', 0) / 1e6:,.0f} MB): core wall "
                    f"{spread([c['wall_seconds'] for c in qc])} s, in-process "
                    f"{spread([c['core_seconds'] for c in qc])} s, peak RSS {gb(max(c['peak_rss_kb'] for c in qc))} GB "
                    f"(unquoted: {gb(max(c['peak_rss_kb'] for c in e.get('core', [])))} GB); derived figures "
                    f"{'byte for byte the same' if quoted.get('same_figures') else 'NOT the same'} as the unquoted run's."
                )
                w("")
        gen = [(e["label"], e.get("generate_seconds")) for e in s["sizes"] if e.get("generate_seconds")]
        if gen:
            w("Generating the data (not timed above): " + ", ".join(f"{lbl} {sec:.1f} s" for lbl, sec in gen) + ".")
            w("")

    w("## How to re-run")
    w("")
    w("From the project root:")
    w("")
    w("```bash")
    w("uv run python benchmarks/run.py              # everything, medians of 3 runs (≈12 min on this machine)")
    w("uv run python benchmarks/run.py --quick      # smoke run: 1 run, sizes up to 10k rows (≈3 min)")
    w("uv run python benchmarks/run.py --repeat 5 --max-rows 1000000   # more runs, smaller sizes")
    w("uv run python benchmarks/run.py --only scaling                  # just sections 4–5")
    w("uv run python benchmarks/run.py --wait-idle 300                 # first wait (≤ 5 min) for an idle machine")
    w("```")
    w("")
    w(
        "It works on fresh clones of the committed state (`--source worktree` copies the working tree instead) in "
        "a temporary directory that is removed afterwards, writes this file and `benchmarks/results.json`, and is "
        "not part of `pytest`. See `benchmarks/README.md`."
    )
    w("")
    path.write_text("\n".join(out), encoding="utf-8")


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="noegletal benchmark (issue 7); writes benchmarks/results.md")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: --repeat 1, --max-rows 10000, written to results-quick.md"
    )
    parser.add_argument("--repeat", type=int, help="runs per measurement, medians reported (default 3)")
    parser.add_argument("--max-rows", type=int, help="largest synthetic size in rows (default 10000000)")
    parser.add_argument("--only", choices=("dvc", "scaling"), help="run one part only (dvc = sections 1–3)")
    parser.add_argument(
        "--source",
        choices=("head", "worktree"),
        default="head",
        help="benchmark the committed state (git clone, default) or a copy of the working tree",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed for any one command")
    parser.add_argument(
        "--mem-limit-gb", type=float, help="stop a core or floor run whose RSS exceeds this (default: half the RAM)"
    )
    parser.add_argument("--tmp", type=Path, help="where to put the temporary clones and data (default: $TMPDIR)")
    parser.add_argument(
        "--out", type=Path, help="results file (default benchmarks/results.md, or results-quick.md with --quick)"
    )
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--wait-idle",
        type=float,
        metavar="SECONDS",
        default=0,
        help="first wait up to SECONDS for the 1-minute load average to drop below 0.5 per core",
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        metavar="RESULTS_JSON",
        help="measure nothing: write the markdown again from a results JSON file",
    )
    args = parser.parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
        out_md = args.out or args.from_json.with_suffix(".md")
        write_markdown(results, out_md)
        print(f"wrote {out_md}")
        return 0
    repeat = args.repeat or (1 if args.quick else 3)
    max_rows = args.max_rows if args.max_rows is not None else (10_000 if args.quick else 10_000_000)
    out_md = args.out or (HERE / ("results-quick.md" if args.quick else "results.md"))
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    if sys.prefix == sys.base_prefix:
        print(
            "warning: not running in a virtual environment; run with `uv run python benchmarks/run.py`", file=sys.stderr
        )

    mach = machine()
    mem_limit_kb = int((args.mem_limit_gb or mach["ram_gb"] * 0.5) * 1024**2)
    started = time.perf_counter()
    base = Path(tempfile.mkdtemp(prefix="noegletal-bench-", dir=args.tmp))
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT, capture_output=True, text=True
    ).stdout.strip()
    results: dict = {
        "meta": {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(["uv run python benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)]),
            "repeat": repeat,
            "max_rows": max_rows,
            "quick": args.quick,
            "source": args.source,
            "source_desc": "",
            "targets": TARGETS,
            "json_name": out_md.with_suffix(".json").name,
            "mem_limit_gb": round(mem_limit_kb / 1024**2, 1),
            "bytecode": bytecode_state(),
        },
        "load": [],
        "machine": mach,
        "versions": versions(),
        "errors": [],
    }

    def log(message: str) -> None:
        print(f"{time.perf_counter() - started:7.1f}s  {message}", flush=True)

    def note_load(when: str) -> None:
        results["load"].append({"when": when, "loadavg": loadavg()})

    if args.wait_idle:
        waited = wait_for_idle(args.wait_idle, mach["cores"] or 1, log)
        results["meta"]["waited_for_idle_s"] = waited
    note_load("start")

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    log(f"working in {base}; results to {out_md}")
    try:
        ws = Workspace(base, args.source, args.timeout)
        results["meta"]["commit"] = ws.commit
        results["meta"]["source_desc"] = (
            f"`git clone` of HEAD {ws.commit}"
            if args.source == "head"
            else f"copy of the working tree (HEAD {ws.commit}{', with uncommitted changes' if dirty else ''})"
        )
        if args.only in (None, "dvc"):
            try:
                bench_dvc(ws, repeat, args.timeout, results, log)
            except BenchError as exc:
                results["errors"].append(f"sections 1–3 (DVC, render): {exc}")
                log(f"FAILED: {str(exc).splitlines()[0]}")
            note_load("after sections 1–3")
        if args.only in (None, "scaling"):
            try:
                bench_scaling(ws, repeat, max_rows, args.timeout, mem_limit_kb, results, log)
            except BenchError as exc:
                results["errors"].append(f"sections 4–5 (scaling): {exc}")
                log(f"FAILED: {str(exc).splitlines()[0]}")
            note_load("after sections 4–5")
            for e in results.get("scaling", {}).get("sizes", []):
                if e.get("error"):
                    results["errors"].append(f"scaling, size {e['label']}: {e['error']}")
    except KeyboardInterrupt:
        results["errors"].append("interrupted; the results are incomplete")
        log("interrupted")
    except Exception:  # noqa: BLE001 - write what was measured, then fail
        results["errors"].append("the harness failed:\n" + traceback.format_exc())
        log("the harness failed:\n" + traceback.format_exc())
    finally:
        if args.keep_tmp:
            log(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
        results["meta"]["duration_s"] = time.perf_counter() - started
        out_md.parent.mkdir(parents=True, exist_ok=True)
        out_md.with_suffix(".json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        write_markdown(results, out_md)
        log(f"wrote {out_md} and {out_md.with_suffix('.json').name}")
    for row in evaluate(results):
        print(f"  {row[0]}: {row[1]} (target {row[2]}): {row[3].strip('*')}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
