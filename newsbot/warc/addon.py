"""ReplayAddon: switches a crawl to replay mode when ``NEWSBOT_REPLAY`` names an archive.

The spider's ``-a replay=PATH`` (or ``-s NEWSBOT_REPLAY=PATH``) sets the setting before
settings freeze; this add-on then routes http/https to :class:`WarcReplayHandler`, turns
archive writing off (replay must not copy the WARC again), drops politeness delays
(there is no server to be polite to) and adds the progress line. robots.txt stays obeyed:
it is answered from the archive too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsbot.warc.progress import ReplayProgress
from newsbot.warc.replay import check_replay_arguments

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

HANDLER = "newsbot.warc.replay.WarcReplayHandler"


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
        settings.set("NEWSBOT_RETRY_BACKOFF_ENABLED", False, priority)  # a replayed 5xx answers at once
        concurrency = settings.getint("NEWSBOT_REPLAY_CONCURRENCY", 16)
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority)
        settings.set("CONCURRENT_REQUESTS", max(concurrency, settings.getint("CONCURRENT_REQUESTS")), priority)
        settings.set_in_component_priority_dict("EXTENSIONS", ReplayProgress, 510)
