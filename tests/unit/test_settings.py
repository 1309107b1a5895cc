from pathlib import Path

import pytest
from narvard.pipeline.settings import ReportSettings, SettingsError

BASE = {"data_dir": Path("d"), "out_dir": Path("o"), "processed_root": Path("p")}


def test_unknown_keys_are_rejected():
    with pytest.raises(SettingsError, match="window"):
        ReportSettings.from_dict(BASE | {"window": 90})


def test_settings_are_immutable_and_checked():
    settings = ReportSettings.from_dict(BASE | {"window_days": 90})
    with pytest.raises(AttributeError):
        settings.window_days = 180
    with pytest.raises(SettingsError):
        ReportSettings.from_dict(BASE | {"min_cell": -1})
