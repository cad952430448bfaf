"""Fixtures for the federation tests: a centre and schools in one process, served over
loopback HTTP by threads (tests.support.federation)."""

from __future__ import annotations

import pytest

from journal.plugins.testing import make_test_app
from tests.support.federation import serving


@pytest.fixture
def centre_app(tmp_path):
    """A leersteuncentrum's journal (in memory)."""
    return make_test_app(tmp_path / "centre", JOURNAL_INSTANCE_KIND="centre",
                         JOURNAL_SCHOOL_NAME="Leersteuncentrum De Brug",
                         JOURNAL_FEDERATION_TIMEOUT_SECONDS=3)


@pytest.fixture
def centre_url(centre_app):
    """The centre, served on loopback."""
    with serving(centre_app) as url:
        yield url


@pytest.fixture
def app_config():
    return {"JOURNAL_SCHOOL_NAME": "Basisschool De Linde", "JOURNAL_FEDERATION_TIMEOUT_SECONDS": 3}


@pytest.fixture
def school_url(app):
    """The ``app`` fixture (a school), served on loopback."""
    with serving(app) as url:
        yield url
