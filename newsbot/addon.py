"""NewsbotAddon: settings that depend on other settings, resolved once before the crawl starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsbot import __version__
from newsbot.psl import use_bundled_public_suffix_list

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class NewsbotAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        use_bundled_public_suffix_list()  # no request to publicsuffix.org from the cookie middleware
        # A contact given with -s NEWSBOT_CONTACT=... reaches the User-Agent, unless the
        # user also set USER_AGENT explicitly.
        contact_priority = settings.getpriority("NEWSBOT_CONTACT") or 0
        ua_priority = settings.getpriority("USER_AGENT") or 0
        if contact_priority > ua_priority:
            contact = settings.get("NEWSBOT_CONTACT")
            settings.set("USER_AGENT", f"newsbot/{__version__} (research news archiver; +{contact})", contact_priority)
