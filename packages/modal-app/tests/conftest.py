"""Puts the fake `modal` module (tests/fake_modal) and the app's package on the import path."""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "fake_modal"))
sys.path.insert(0, str(HERE.parent))

import modal  # noqa: E402  (the fake)


@pytest.fixture
def world():
    return modal.reset()
