"""CoverageExtension wiring: switched off by its flag, database path from settings, one run recorded per crawl."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsbot.coverage.extension import CoverageExtension, db_path
from newsbot.spiders.rt_ar import RtArSpider


def test_disabled_by_flag():
    with pytest.raises(NotConfigured):
        CoverageExtension(get_crawler(RtArSpider, {"NEWSBOT_COVERAGE_ENABLED": False}))


def test_not_recorded_in_replay_mode():
    with pytest.raises(NotConfigured):
        CoverageExtension(get_crawler(RtArSpider, {"NEWSBOT_REPLAY": "/some/archive.warc.gz"}))


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"ARCHIVE_DIR": "/data/archive"}, Path("/data/archive/newsbot.sqlite")),
        ({"ARCHIVE_DIR": "/data/archive", "NEWSBOT_COVERAGE_DB": "/elsewhere/c.sqlite"}, Path("/elsewhere/c.sqlite")),
    ],
)
def test_database_path(settings, expected):
    assert db_path(get_crawler(RtArSpider, settings).settings) == expected


def test_enabled_in_project_settings():
    from newsbot import settings

    assert "newsbot.coverage.extension.CoverageExtension" in settings.EXTENSIONS
    assert settings.NEWSBOT_COVERAGE_ENABLED is True and settings.NEWSBOT_COVERAGE_DB == ""
