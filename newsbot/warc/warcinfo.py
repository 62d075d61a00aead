"""The ``warcinfo`` fields that open every WARC file: who crawled, what, and with which settings."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from newsbot import __version__

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newsbot.job import Job

#: settings that shape what is fetched and how; their effective values go into every warcinfo
CRAWL_SETTINGS = (
    "ROBOTSTXT_OBEY",
    "USER_AGENT",
    "NEWSBOT_DEPTH",
    "NEWSBOT_ALLOWED_HOSTS",
    "DEPTH_LIMIT",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "RANDOMIZE_DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "RETRY_ENABLED",
    "RETRY_TIMES",
    "RETRY_HTTP_CODES",
    "REDIRECT_ENABLED",
    "COOKIES_ENABLED",
    "HTTPCACHE_ENABLED",
    "NEWSBOT_WARC_MAX_BYTES",
    "NEWSBOT_WARC_GZIP_LEVEL",
    "NEWSBOT_WARC_REVISITS",
)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict) or hasattr(value, "copy_to_dict"):
        return " ".join(f"{k}={v}" for k, v in dict(value).items())
    return str(value)


def warcinfo_fields(crawler: Crawler, job: Job) -> list[tuple[str, str]]:
    settings = crawler.settings
    spider = crawler.spider
    fields = [
        ("software", f"newsbot/{__version__} (Scrapy/{_version('scrapy')} warcio/{_version('warcio')} "
                     f"Twisted/{_version('twisted')} Python/{platform.python_version()})"),
        ("format", "WARC File Format 1.1"),
        ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
        ("isPartOf", job.id),
        ("job-id", job.id),
        ("job-started", job.started.isoformat(timespec="seconds")),
        ("spider", getattr(spider, "name", "") or ""),
    ]
    fields += [("start-url", url) for url in getattr(spider, "start_urls", None) or ()]
    depth = getattr(spider, "max_depth", None)
    fields.append(("depth", str(depth if depth is not None else settings.getint("NEWSBOT_DEPTH"))))
    fields.append(("robots", "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"))
    fields.append(("http-header-user-agent", settings.get("USER_AGENT") or ""))
    fields += [(f"setting-{name}", _text(settings.get(name))) for name in CRAWL_SETTINGS if settings.get(name) is not None]
    return fields
