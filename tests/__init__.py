"""Tests never reach a real host: proxy variables are blanked at import (as in Scrapy's own tests/__init__.py).

A crawl that should go through the project's test server gets its proxy explicitly
(see tests/crawl_helpers.py), never from the developer's environment.
"""

import os

for _name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
    os.environ[_name] = ""
