"""midan: news articles to ACLED-style event data."""
from midan._version import __version__

__all__ = ["__version__"]
