"""Where a `next` parameter may send someone: a path on this site, and nothing a browser could read
as another site.

A browser drops tabs and line breaks from a URL and reads a backslash as a slash, so `/\t/evil`,
`/\\evil` and `/%09/evil` (once decoded) are all `//evil`, another site. A `next` is accepted
only when it starts with one slash, holds no control character and no backslash, names no scheme
or host, and its path, percent-decoded, still does; anything else is no `next` at all.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def _plain(text: str) -> bool:
    """No control character (tab, CR, LF, DEL, C1) and no backslash."""
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c == "\\" for c in text)


def _one_slash(text: str) -> bool:
    return text.startswith("/") and not text.startswith(("//", "/\\"))


def same_site_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None."""
    if not target or len(target) > MAX_LENGTH or not _plain(target) or not _one_slash(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not _plain(path) or not _one_slash(path):
        return None
    return target
