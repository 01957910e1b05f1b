"""SVG and PNG from one headless Chromium (kaleido), kept in a cache between runs."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import os
import re
import threading
from collections.abc import Coroutine, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from pipeline.charts.building import BuiltChart
from pipeline.charts.style import PNG_SCALE
from pipeline.paths import Paths

# plotly.js names its SVG definitions (clip paths, patterns) with a random id per render;
# it is replaced by one derived from the chart's name so that the SVG is the same every run.
_SVG_DEFS_ID = re.compile(rb'<defs id="defs-([0-9a-zA-Z]+)"')
_SVG_REFERENCES = re.compile(rb'id="[^"]*"|url\([^)]*\)|href="#[^"]*"')


def stable_svg(svg: bytes, name: str) -> bytes:
    found = _SVG_DEFS_ID.search(svg)
    if not found:
        return svg
    random_id = found.group(1)
    fixed = hashlib.sha1(name.encode()).hexdigest()[: len(random_id)].encode()
    return _SVG_REFERENCES.sub(lambda m: m.group(0).replace(random_id, fixed), svg)


RENDER_TIMEOUT = 60  # seconds kaleido may take for one image
STARTUP_ALLOWANCE = 60  # seconds on top of that for starting the browser


def browser_path() -> str:
    """The Chromium kaleido drives: $BROWSER_PATH, else one choreographer finds (Debian:
    /usr/bin/chromium, installed by bin/setup)."""
    from choreographer.browsers import Chromium

    found = os.environ.get("BROWSER_PATH") or Chromium.find_browser(skip_local=False)
    if not found or not os.access(found, os.X_OK):
        raise SystemExit(
            "noegletal charts: no Chromium found for the SVG and PNG charts; install it "
            "(apt-get install chromium, as bin/setup does) or set BROWSER_PATH"
        )
    return found


class BrowserFailed(RuntimeError):
    """The browser did not start (raised in the session's thread, said by its caller)."""


class BrowserSession:
    """One headless Chromium for many images, through kaleido's documented async API (`async
    with kaleido.Kaleido(...)`, `calc_fig`) on an event loop in a thread of its own. Every call
    waits with a deadline: a browser that does not start or answer ends in an error, not in a
    wait forever. MathJax is off and plotly.js comes from the plotly package: no network. The
    browser runs without Chromium's sandbox (choreographer's default), as it must as root.

    `tabs` pages draw side by side (kaleido reloads a page after every image, so one page
    waits for its reload before the next image; a second page draws meanwhile). With
    `wait=False` the browser starts in the background and the first image waits for it, so
    that the caller can do other work while it starts."""

    def __init__(self, tabs: int = 1, wait: bool = True) -> None:
        path = browser_path()  # here, so that a missing browser is said before anything starts
        self._gave_up = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="noegletal-chart-images", daemon=True)
        self._thread.start()
        self._session = contextlib.AsyncExitStack()
        self._opening = asyncio.run_coroutine_threadsafe(self._open(path, tabs), self._loop)
        if wait:
            try:
                self._result(self._opening)
            except BaseException:
                self.close()
                raise

    async def _open(self, path: str, tabs: int) -> Any:
        import kaleido

        browser = kaleido.Kaleido(n=tabs, path=path, mathjax=False, timeout=RENDER_TIMEOUT)
        try:
            return await self._session.enter_async_context(browser)
        except Exception as exc:  # said in one line by `_result`, in the caller's thread
            if asyncio.current_task().cancelling():  # given up on (`close`): a cancellation, not a failure
                raise asyncio.CancelledError from exc
            said = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            reason = said.strip().splitlines()[0] if said.strip() else type(exc).__name__
            raise BrowserFailed(f"noegletal charts: the headless Chromium ({path}) did not start: {reason}") from exc

    def image(self, figure: dict, opts: dict) -> bytes:
        return self._result(self.start_image(figure, opts))

    def start_image(self, figure: dict, opts: dict) -> Future:
        """Begin drawing an image; `result(future)` waits for it. Images begun together are
        drawn side by side, one per page."""
        return asyncio.run_coroutine_threadsafe(self._draw(figure, opts), self._loop)

    async def _draw(self, figure: dict, opts: dict) -> bytes:
        # shielded: an image given up on (timeout) must not cancel the browser's start, whose
        # error `close` collects
        browser = await asyncio.shield(asyncio.wrap_future(self._opening))
        return await browser.calc_fig(figure, opts=opts)

    def close(self) -> None:
        try:
            if not self._gave_up:  # else the start was waited for once already
                with contextlib.suppress(BaseException):  # a browser that failed to start: said by the caller
                    self._result(self._opening)
            self._wait(self._session.aclose())
        finally:
            self._wait(self._cancel_the_rest())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(STARTUP_ALLOWANCE)
            if not self._thread.is_alive():
                self._loop.close()

    @staticmethod
    async def _cancel_the_rest() -> None:
        # a browser that failed to start leaves its watchdog task behind
        rest = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    def __enter__(self) -> BrowserSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return self._result(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    def result(self, future: Future) -> Any:
        return self._result(future)

    def _result(self, future: Future) -> Any:
        # a browser that does not start or answer is the machine's problem, not the code's:
        # one line and exit 1 (SystemExit), no traceback
        seconds = RENDER_TIMEOUT + STARTUP_ALLOWANCE
        try:
            return future.result(timeout=seconds)
        except BrowserFailed as exc:
            raise SystemExit(str(exc)) from None
        except TimeoutError:
            self._gave_up = True
            future.cancel()
            raise SystemExit(
                f"noegletal charts: no image; the headless Chromium ({browser_path()}) did not "
                f"start or answer (waited {seconds:.0f} s)"
            ) from None


class ImageRenderer:
    """SVG and PNG from one headless Chromium for a whole run (a BrowserSession), started for
    the first image and stopped on exit (a bare write_image per figure would start a browser
    each time).

    With a `cache` folder, an image is drawn only when its chart changed: each image is kept
    there under a hash of everything it is made from (the figure, the image options, the
    charts package's code, kaleido's and plotly's versions and the browser), and an unchanged chart takes its image
    from there, without starting the browser at all when no chart changed. Images the run did
    not ask for are removed from the folder at the end.

    The browser starts in the background: at once when there is no cache to take images from,
    else at the first image the cache lacks. `prefetch` names images a run will ask for: those
    not in the cache are begun at once (drawn one after the other while the caller goes on),
    and `image` then collects each."""

    # Pages drawing side by side. One: on this 2-core machine under load a second page was
    # slower (its start costs more than the overlap of drawing and reloading saves).
    TABS = 1

    def __init__(self, cache: Path | None = None) -> None:
        self._browser: BrowserSession | None = None
        self._cache = cache
        self._used: set[str] = set()
        self._pending: dict[tuple[str, str], Future] = {}
        self._keys: dict[tuple[str, str], tuple[BuiltChart, str]] = {}
        if cache is None or not cache.is_dir() or not any(cache.iterdir()):
            self._start()  # nothing to take from a cache: the browser starts while the charts are built

    def __enter__(self) -> ImageRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._cache is not None and self._cache.is_dir() and not any(exc):
            for stale in self._cache.iterdir():
                if stale.name not in self._used:
                    stale.unlink(missing_ok=True)

    def _start(self) -> None:
        self._browser = BrowserSession(tabs=self.TABS, wait=False)

    def prefetch(self, charts: Iterable[BuiltChart], image_formats: Iterable[str]) -> None:
        """Begin drawing every image of `charts` in `image_formats` that the cache lacks."""
        missing = [
            (chart, image_format, opts)
            for chart in charts
            for image_format in image_formats
            if not self._cached(chart, opts := _image_opts(chart, image_format))
        ]
        if not missing:
            return
        if self._browser is None:
            self._start()
        for chart, image_format, opts in missing:
            self._pending[chart.name, image_format] = self._browser.start_image(chart.figure.to_dict(), opts)

    def _cached(self, chart: BuiltChart, opts: dict) -> bool:
        return self._cache is not None and (self._cache / self._key(chart, opts)).is_file()

    def _key(self, chart: BuiltChart, opts: dict) -> str:
        """`_image_key`, computed once per chart and format (the figure's JSON takes a while)."""
        known = self._keys.get((chart.name, opts["format"]))
        if known is None or known[0] is not chart:
            known = self._keys[chart.name, opts["format"]] = (chart, _image_key(chart, opts))
        return known[1]

    def image(self, chart: BuiltChart, image_format: str) -> bytes:
        opts = _image_opts(chart, image_format)
        cached = self._cache / self._key(chart, opts) if self._cache is not None else None
        if cached is not None:
            self._used.add(cached.name)
            if cached.is_file():
                return cached.read_bytes()
        if self._browser is None:
            self._start()
        pending = self._pending.pop((chart.name, image_format), None)
        if pending is None:
            pending = self._browser.start_image(chart.figure.to_dict(), opts)
        image = self._browser.result(pending)
        image = stable_svg(image, chart.name) if image_format == "svg" else image
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".tmp")
            partial.write_bytes(image)
            partial.replace(cached)
        return image


def _image_opts(chart: BuiltChart, image_format: str) -> dict:
    layout = chart.figure.layout
    return {
        "format": image_format,
        "width": layout.width,
        "height": layout.height,
        "scale": PNG_SCALE if image_format == "png" else 1,
    }


def _image_key(chart: BuiltChart, opts: dict) -> str:
    """A hash of everything an image is made from."""
    made_of = [chart.name, chart.figure.to_json(), json.dumps(opts, sort_keys=True), *_drawn_with()]
    return hashlib.sha256("\0".join(made_of).encode("utf-8")).hexdigest() + "." + opts["format"]


@functools.cache
def _drawn_with() -> tuple[str, ...]:
    """What every image of a run is drawn with (read once a run, not once an image)."""
    import importlib.metadata

    browser = browser_path()
    return (
        # the whole package's code, as the one module's was before the split: any change redraws
        *(module.read_text(encoding="utf-8") for module in sorted(Path(__file__).parent.glob("*.py"))),
        importlib.metadata.version("kaleido"),
        importlib.metadata.version("plotly"),  # kaleido draws with the plotly package's plotly.js
        browser,
        str(os.stat(browser).st_mtime_ns),
    )


def image_cache(paths: Paths) -> Path:
    """Where the charts stage keeps its drawn images (`ImageRenderer`): outside the outputs."""
    return paths.root / ".cache" / "chart-images"
