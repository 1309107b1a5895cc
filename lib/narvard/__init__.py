"""narvard: reproducible evaluation reports for Swedish Nära vård mobile care teams."""

__version__ = "0.1.0"

# Smallest count shown in a published table (docs/disclosure.md). Here, beside the version,
# so that the command line and the run settings read it without heavy imports.
DEFAULT_MIN_CELL = 5
