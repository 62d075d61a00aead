"""An item pipeline that raises for one article id (``-s NEWSBOT_TEST_FAIL_ID=...``), for the failures tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class FailForOneArticle:
    def __init__(self, crawler: Crawler) -> None:
        self.article_id = crawler.settings.get("NEWSBOT_TEST_FAIL_ID")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailForOneArticle:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if f"/{self.article_id}-" in str(ItemAdapter(item).get("url")):
            raise RuntimeError(f"test pipeline refuses article {self.article_id}")
        return item
