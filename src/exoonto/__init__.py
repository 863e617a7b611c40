"""exoonto: the review "Regulation of Exosomes on Bone Remodelling" as linked data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("exoonto")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
