"""Follow-up coverage monitor: what appeared, changed and vanished around a story since the last crawl.

:mod:`.store` (SQLite history), :mod:`.extension` (records crawls, re-fetches known follow-ups),
:mod:`.diff` (pure new/updated/removed/failed logic), :mod:`.report` (the report data),
:mod:`.render_text` / :mod:`.render_html`, :mod:`.cli` (``newsbot coverage``).
"""
