"""Bytes -> text for pages of this site.

Order (as browsers do, simplified): a byte-order mark, then the charset the HTTP header gave,
then the page's own <meta charset> / http-equiv, then UTF-8, and when the bytes are not valid
UTF-8, windows-1256 (what the site's legacy program pages are served in).
"""

from __future__ import annotations

import codecs
import re

#: How far into the page a <meta charset> is looked for (the HTML spec says the first 1024 bytes; be lenient).
META_SNIFF_BYTES = 4096
LEGACY_ENCODING = "windows-1256"

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# labels that WHATWG maps to another codec; latin-1 labels mean windows-1252 in practice
_ALIASES = {"iso-8859-1": "windows-1252", "latin1": "windows-1252", "us-ascii": "windows-1252", "ascii": "windows-1252"}


def _codec(label: str | bytes | None) -> str | None:
    """Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    text = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    text = text.strip().strip("\"'").lower()
    text = _ALIASES.get(text, text)
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def sniff_meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:META_SNIFF_BYTES])
    return _codec(m.group(1)) if m else None


def decode_html(body: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a page; returns ``(text, codec name used)``."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace"), name
    for name in (_codec(encoding), sniff_meta_charset(body)):
        if name:
            try:
                return body.decode(name), name
            except UnicodeDecodeError:
                continue  # a wrong label: try the next source
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode(LEGACY_ENCODING, "replace"), LEGACY_ENCODING
