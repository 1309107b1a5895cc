"""The prepared per-patient frames as an area's analysis reads them, made once per dataset.

The text columns (patient, area, group, sex, kommun, reason) are held as plain Python
strings rather than Arrow strings: the analysis selects rows of these frames a few hundred
times per area (groups, subgroups, periods, window lengths), and selecting rows of an
Arrow string column costs far more than of a NumPy one. Values and missing values (NaN)
are the same, so every figure is too. The region's rows are kept per region and length,
since every area of a region starts from them.
"""

from __future__ import annotations

import pandas as pd

from narvard.data.processed import ProcessedDataset


def plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its string columns as object columns (same values, NaN kept)."""
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype)]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def windows(dataset: ProcessedDataset, window_days: int | None = None) -> pd.DataFrame:
    """Every patient's windows (``ProcessedDataset.windows``), converted once."""
    days = window_days or dataset.manifest["window_days"]
    return dataset._read(f"plain/windows/{days}", lambda: plain_text(dataset.windows(days)))


def months(dataset: ProcessedDataset) -> pd.DataFrame:
    """Events per patient, month and measure (``ProcessedDataset.months``), converted once."""
    return dataset._read("plain/months", lambda: plain_text(dataset.months()))


def region_windows(
    dataset: ProcessedDataset, region: str, window_days: int | None = None
) -> pd.DataFrame:
    """Every patient of the region (the comparison pool of each of its areas)."""
    days = window_days or dataset.manifest["window_days"]

    def select() -> pd.DataFrame:
        areas = dataset.areas()
        region_areas = set(areas.loc[areas["region"] == region, "area_id"])
        rows = windows(dataset, days)
        return rows[rows["area_id"].isin(region_areas)].reset_index(drop=True)

    return dataset._read(f"plain/region/{region}/{days}", select)


def table(dataset: ProcessedDataset, name: str) -> pd.DataFrame | None:
    """A small input table (``ProcessedDataset.table``), converted once; None when absent.
    The survey figures select each item's answers per group, area and wave."""

    def convert() -> pd.DataFrame | None:
        frame = dataset.table(name)
        return None if frame is None else plain_text(frame)

    return dataset._read(f"plain/table/{name}", convert)
