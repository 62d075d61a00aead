"""ReplayAddon: switches a crawl to replay mode when ``NEWSBOT_REPLAY`` names an archive.

The spider's ``-a replay=PATH`` (or ``-s NEWSBOT_REPLAY=PATH``) sets the setting before
settings freeze; this add-on then routes http/https to :class:`WarcReplayHandler`, turns
archive writing off (replay must not copy the WARC again), drops politeness delays
(there is no server to be polite to) and adds the progress line.

It also switches off the components that have no work to do offline (:data:`OFFLINE_OFF`):
the replay handler answers by URL alone, from bytes that are the same on every attempt.
Everything that decides what is fetched or what a page becomes stays on, as in a live crawl:
robots.txt (answered from the archive, and obeyed), the allowed hosts and Scrapy's offsite
filter, redirects and meta refresh, decompression, the gzip/empty-body and charset checks
(archived bytes can be cut or mislabelled), the failure recorders, the referer (misses list it)
and the download stats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsbot.warc.replay import check_replay_arguments

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

HANDLER = "newsbot.warc.replay.WarcReplayHandler"
PROGRESS = "newsbot.warc.progress.ReplayProgress"

#: settings replay sets, and why each component has nothing to do offline
OFFLINE_OFF: dict[str, object] = {
    "COOKIES_ENABLED": False,  # Set-Cookie of an archived answer changes no later answer
    "HTTPPROXY_ENABLED": False,  # no network, no proxy
    # A replayed answer is the same on every attempt (same URL, same capture): a retry repeats the work and
    # the outcome. A failed answer goes straight to the spider's errback (or the failure recorder) instead
    # of after RETRY_TIMES identical attempts; RETRY_TIMES=0 makes the body check's own retry give up at once too.
    "RETRY_ENABLED": False,
    "RETRY_TIMES": 0,
    "NEWSBOT_RETRY_BACKOFF_ENABLED": False,
}
#: downloader middlewares with nothing to do offline: request headers, timeouts and auth reach no server.
#: (RobotsTxtMiddleware runs before UserAgentMiddleware and takes USER_AGENT itself: robots.txt is obeyed
#: for the same agent as live.)
OFFLINE_MIDDLEWARES = (
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware",
    "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware",
    "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware",
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
)

#: components a replay never runs (each raises NotConfigured in replay mode): taken out of the component
#: dicts so they are not even imported (the WARC writing stack, Scrapy's HTTP/TLS client and the CDXJ
#: indexer with its dependencies: ~0.4 CPU s of start-up)
NOT_IN_REPLAY = {
    "DOWNLOADER_MIDDLEWARES": (
        "newsbot.downloadermiddlewares.resume.ResumeFromArchiveMiddleware",
        "newsbot.warc.middleware.WarcArchiveMiddleware",
    ),
    "EXTENSIONS": (
        "newsbot.warc.metadata.ArticleMetadataRecords",
        "newsbot.warc.finalize.ArchiveFinalizer",
        "newsbot.coverage.extension.CoverageExtension",
    ),
}


class ReplayAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        path = settings.get("NEWSBOT_REPLAY")
        if not path:
            return
        check_replay_arguments(path, settings.get("NEWSBOT_REPLAY_AT"))
        # Win over project settings (priority 20): replay is what the user asked for on this run.
        priority = max(settings.getpriority("NEWSBOT_REPLAY") or 0, 30)
        handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
        handlers.update({"http": HANDLER, "https": HANDLER})
        settings.set("DOWNLOAD_HANDLERS", handlers, priority)
        settings.set("NEWSBOT_WARC_ENABLED", False, priority)
        settings.set("HTTPCACHE_ENABLED", False, priority)
        settings.set("AUTOTHROTTLE_ENABLED", False, priority)
        settings.set("DOWNLOAD_DELAY", 0, priority)
        for name, value in OFFLINE_OFF.items():
            settings.set(name, value, priority)
        # By the dicts' own keys (dotted paths): a class key would not override Scrapy's base entries, and
        # set_in_component_priority_dict imports every listed component to compare it with the class. The
        # project's own replay-less components are removed, not set to None: Scrapy imports every key it lists.
        changes: dict[str, dict[str, int | None]] = {
            "DOWNLOADER_MIDDLEWARES": dict.fromkeys(OFFLINE_MIDDLEWARES),
            "EXTENSIONS": {PROGRESS: 510},
        }
        for name, change in changes.items():
            components = {k: v for k, v in settings.getdict(name).items() if k not in NOT_IN_REPLAY.get(name, ())}
            components.update(change)
            settings.set(name, components, max(priority, settings.getpriority(name) or 0))
        concurrency = settings.getint("NEWSBOT_REPLAY_CONCURRENCY", 16)
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority)
        settings.set("CONCURRENT_REQUESTS", max(concurrency, settings.getint("CONCURRENT_REQUESTS")), priority)
