"""The search backend's API: a SearXNG instance's ``/search?q=...&format=json``.

Only what a search run needs: the query URL, and the result URLs of an answer. An answer
that is not SearXNG's JSON shape raises ``SearchBackendError`` (never an empty result: a
broken backend must not read as "no copies on the web").
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from repostwatch.config import SearchConfig
from repostwatch.errors import RepostwatchError

__all__ = ["SearchBackendError", "query_url", "result_urls"]


class SearchBackendError(RepostwatchError):
    """The search backend's answer cannot be read. ``kind`` names the problem for the stats."""

    exit_code = 3

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def query_url(search: SearchConfig, query: str) -> str:
    """The API URL asking ``search.url`` for ``query`` (first page, JSON)."""
    params = {"q": query, "format": "json", "pageno": "1"}
    if search.engines:
        params["engines"] = ",".join(search.engines)
    if search.language:
        params["language"] = search.language
    return f"{search.url.rstrip('/')}/search?{urlencode(params)}"


def result_urls(body: bytes) -> list[str]:
    """The http(s) URLs of ``results[].url`` in a SearXNG JSON answer, in its order.

    Raises ``SearchBackendError`` (kind ``bad_json``) when the body is not JSON of that shape.
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SearchBackendError(f"the answer is not JSON ({exc})", kind="bad_json") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise SearchBackendError("the answer has no `results` list", kind="bad_json")
    urls = []
    for result in results:
        url = result.get("url") if isinstance(result, dict) else None
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            urls.append(url)
    return urls
