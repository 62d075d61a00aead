"""ItemsFile writes the lines Scrapy's JsonLinesItemExporter (ensure_ascii=False) writes, byte for byte."""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import asdict, dataclass

import pytest
import scrapy
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.test import get_crawler

from newsbot.extensions.items_file import ItemsFile
from newsbot.items import Article


def _exporter_line(item_dict: dict) -> bytes:
    out = io.BytesIO()
    exporter = JsonLinesItemExporter(out, encoding="utf-8", ensure_ascii=False)
    exporter.start_exporting()
    exporter.export_item(item_dict)
    exporter.finish_exporting()
    return out.getvalue()


def _article() -> Article:
    return Article(
        url="https://arabic.rt.com/world/801234-علاقات-روسيا/",
        article_id=801234,
        section="world",
        title='بوتين: "العلاقات" ــ مع الناتو ١٢٣\u200f',
        lead=None,
        body_paragraphs=["فقرة أولى", "Second \t paragraph \\ with / slash", "😀 \u2028 سطر"],
        subheadings=[],
        images=[{"url": "https://cdni.rt.com/a.jpg", "caption": "صورة", "width": 640}],
        related=[{"url": "https://arabic.rt.com/world/1-x/", "kind": "related", "title": None}],
        http_status=200,
        depth=0,
        warc_offset=12345,
    )


@dataclass
class _Inner:
    name: str
    when: datetime.date


@dataclass
class _Outer:
    inner: _Inner
    tags: set[str]
    score: float


def _ext() -> ItemsFile:
    return ItemsFile(get_crawler(scrapy.Spider, {"NEWSBOT_ITEMS_FILE_ENABLED": True}))


def test_article_line_is_the_exporters_line():
    article = _article()
    line = _ext().line(article)
    assert line == _exporter_line(asdict(article))
    assert "علاقات".encode() in line  # text kept as UTF-8, not \\u escapes
    assert list(json.loads(line)) == list(asdict(article))  # fields in declaration order


def test_nested_dataclass_dates_and_sets_as_the_exporter_writes_them():
    item = _Outer(_Inner("اسم", datetime.date(2024, 5, 1)), {"x"}, 1.5)
    assert _ext().line(item) == _exporter_line(asdict(item))


@pytest.mark.parametrize("item", [{"b": 1, "a": ["ع", None]}, {}])
def test_dict_items(item):
    assert _ext().line(item) == _exporter_line(item)


def test_scrapy_item():
    class Page(scrapy.Item):
        title = scrapy.Field()
        url = scrapy.Field()

    item = Page(url="https://arabic.rt.com/", title="عنوان")
    assert _ext().line(item) == _exporter_line(dict(item))
