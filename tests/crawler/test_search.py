"""Planning a search run: rotation order, the budget, and the backend's answer format."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.search import (
    SEARCHED_STAT,
    last_searched,
    plan_search,
    search_order,
    searched_ids,
    searched_stat,
)
from crawler.searxng import SearchBackendError, query_url, result_urls
from matcher import CreditRule, Original
from repostwatch.config import SearchConfig

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SENTENCE = ("Harbourmaster Ingrid Albescu{n} said the 1894 grain pier at Kelmouth will close "
            "on 3 March after engineers found cracks. ")


def original(oid: int, days: int | None) -> Original:
    text = "\n".join(SENTENCE.format(n=f"{oid}x{k}") for k in range(3))
    published = T0 + timedelta(days=days) if days is not None else None
    return Original(oid, "P", f"https://p.test/{oid}", f"t{oid}", text, published=published)


@dataclass
class Run:
    id: int
    started_at: datetime
    stats: dict[str, Any] = field(default_factory=dict)


class FakeStore:
    def __init__(self, originals: list[Original], runs: list[Run]) -> None:
        self._originals, self._runs = originals, runs

    def originals(self, publication: str | None = None) -> list[Original]:
        return list(self._originals)

    def runs(self, limit: int | None = 20, *, kind: str | None = None) -> list[Run]:
        assert kind == "search" and limit is None
        return sorted(self._runs, key=lambda r: -r.id)


def test_never_searched_first_newest_first_then_least_recently_searched() -> None:
    originals = [original(1, 1), original(2, 5), original(3, 3), original(4, None),
                 original(5, 2)]
    searched = {2: T0 + timedelta(days=9), 3: T0 + timedelta(days=8),
                5: T0 + timedelta(days=8)}
    # fresh: 1 (day 1), then 4 (no date: oldest); searched: day 8 (5 and 3, newer first: 3),
    # then day 9 (2)
    assert search_order(originals, searched) == [1, 4, 3, 5, 2]


def test_undated_originals_keep_the_order_they_were_added() -> None:
    originals = [original(i, None) for i in (1, 2, 3)]
    assert search_order(originals, {}) == [3, 2, 1]


def test_last_searched_comes_from_the_latest_run_naming_an_original() -> None:
    runs = [Run(3, T0 + timedelta(days=3), {SEARCHED_STAT: "2"}),
            Run(1, T0 + timedelta(days=1), {SEARCHED_STAT: "1,2"}),
            Run(2, T0 + timedelta(days=2), {}),
            Run(4, T0 + timedelta(days=4), {SEARCHED_STAT: None})]  # type: ignore[dict-item]
    assert last_searched(runs) == {1: T0 + timedelta(days=1), 2: T0 + timedelta(days=3)}
    assert searched_stat([3, 1, 3]) == "1,3"
    assert searched_ids("1,3") == {1, 3} and searched_ids(7) == set() and searched_ids("") == set()


def test_plan_spends_the_budget_in_rotation_order() -> None:
    originals = [original(i, i) for i in range(1, 6)]
    store = FakeStore(originals, [Run(1, T0, {SEARCHED_STAT: "5,4"})])
    tasks = plan_search(store, budget=5, queries_per_original=2)
    assert [t.original_id for t in tasks] == [3, 2, 1]
    assert [len(t.queries) for t in tasks] == [2, 2, 1]  # the budget runs out inside the last
    assert sum(len(t.queries) for t in tasks) == 5
    assert all(q.startswith('"') for t in tasks for q in t.queries)
    assert tasks[0].original_url == "https://p.test/3"


def test_originals_without_a_searchable_sentence_cost_nothing() -> None:
    empty = Original(9, "P", "https://p.test/9", "t", "Too short.", published=T0 + timedelta(9))
    tasks = plan_search(FakeStore([original(1, 1), empty], []), budget=2,
                        queries_per_original=2)
    assert [t.original_id for t in tasks] == [1]


def test_wire_stories_kept_apart_are_not_searched() -> None:
    """A search for a wire story finds other licensees of the wire: their copies are kept
    apart, so the budget goes to the publisher's own stories, unless it chases them too."""
    wire = dataclasses.replace(original(2, 2), source="Associated Press")
    store = FakeStore([original(1, 1), wire], [])
    rule = CreditRule("P")
    tasks = plan_search(store, budget=4, queries_per_original=2, rules={"P": rule})
    assert [t.original_id for t in tasks] == [1]
    chase = dataclasses.replace(rule, report_syndicated=True)
    tasks = plan_search(store, budget=4, queries_per_original=2, rules={"P": chase})
    assert [t.original_id for t in tasks] == [2, 1]  # newest first, the wire story included


def test_query_url_is_searxng_json_with_passthrough_options() -> None:
    cfg = SearchConfig(url="http://searx.local:8888/", engines=("bing", "mojeek"), language="de")
    url = query_url(cfg, '"a b c"')
    parts = urlsplit(url)
    assert parts.netloc == "searx.local:8888" and parts.path == "/search"
    assert parse_qs(parts.query) == {"q": ['"a b c"'], "format": ["json"], "pageno": ["1"],
                                     "engines": ["bing,mojeek"], "language": ["de"]}
    assert "engines" not in query_url(SearchConfig(url="http://s.test"), "x")


def test_result_urls_reads_searxng_answers_and_refuses_anything_else() -> None:
    answer = {"query": "x", "number_of_results": 3, "results": [
        {"url": "https://a.test/1", "title": "A", "content": "...", "engine": "bing"},
        {"url": "magnet:?xt=urn:btih:abc", "title": "B"},
        {"title": "no url"},
        "junk",
        {"url": "http://b.test/2"},
    ]}
    assert result_urls(json.dumps(answer).encode()) == ["https://a.test/1", "http://b.test/2"]
    assert result_urls(b'{"results": []}') == []
    for body in (b'{"query": "x", "results": [', b"<html>rate limited</html>", b'{"x": 1}',
                 b"[]", b'{"results": {}}', b"\xff\xfe"):
        with pytest.raises(SearchBackendError) as err:
            result_urls(body)
        assert err.value.kind == "bad_json"
