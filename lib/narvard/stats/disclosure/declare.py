"""Every count of an area's results and how they add up (docs/disclosure.md, "Relations")."""

from __future__ import annotations

from narvard.stats.disclosure.cells import Table
from narvard.stats.disclosure.patients import declare_patients
from narvard.stats.disclosure.surveys import declare_surveys


def declare(results: dict) -> Table:
    """The cells and relations of (unsuppressed) area results."""
    table = Table(source=results)
    declare_patients(results, table)
    declare_surveys(results, table)
    return table
