"""narvard: reproducible evaluation reports for Swedish Nära vård mobile care teams."""

__version__ = "0.1.0"
