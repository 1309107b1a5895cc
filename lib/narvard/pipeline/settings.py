"""Immutable run settings; unknown keys are rejected rather than silently ignored."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from narvard import DEFAULT_MIN_CELL

COMPARISON_CHOICES = ("balanced", "all")


class SettingsError(ValueError):
    """A setting has an unknown name or an impossible value."""


@dataclass(frozen=True)
class ReportSettings:
    """What one `narvard report` run renders, and how."""

    data_dir: Path
    out_dir: Path
    processed_root: Path
    areas: tuple[str, ...] = ()  # empty: every area in areas.csv
    window_days: int = 180
    min_cell: int = DEFAULT_MIN_CELL
    jobs: int = 1
    comparison: str = "balanced"  # comparison patients balanced on age, sex, index date; or "all"
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.extra:
            raise SettingsError(f"unknown settings: {', '.join(sorted(self.extra))}")
        if not 1 <= self.window_days <= 730:
            raise SettingsError("window_days must be between 1 and 730 days")
        if self.min_cell < 0:
            raise SettingsError("min_cell must be 0 (off) or more")
        if self.comparison not in COMPARISON_CHOICES:
            raise SettingsError(f"comparison must be one of {', '.join(COMPARISON_CHOICES)}")
        if self.jobs < 1:
            raise SettingsError("jobs must be at least 1")

    @classmethod
    def from_dict(cls, values: dict) -> ReportSettings:
        """Build settings from plain data, refusing keys that are not settings."""
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        unknown = {k: v for k, v in values.items() if k not in known}
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**values)
