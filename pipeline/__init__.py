"""noegletal: Danish gang-related police key figures, from raw releases to tables and reports."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("noegletal")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"
