"""The review UI at its edges: a sign-in redirect that cannot leave the server, the sign-in
round trip keeping the whole address, and parameters no finding can match (404/400, never 500)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from reports.web import Auth
from reports.web.service import parse_query
from repostwatch.store.reviews import ReviewError
from tests.reports.reviewhome import Home, client_run, csrf_token, make_home

Client = Any


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\n/evil.example/",
                                    "/\r\n/evil.example/", "/ /evil.example/"])
def test_sign_in_never_redirects_off_the_server(home: Home, target: str) -> None:
    """Browsers (and yarl) drop tabs and newlines: "/\\t/evil" would become "//evil"."""
    async def test(c: Client) -> None:
        login = await (await c.get("/login")).text()
        r = await c.post("/login", data={"token": "t0k", "csrf_token": csrf_token(login),
                                         "next": target}, allow_redirects=False)
        assert r.status == 303
        assert r.headers["Location"] == "/findings"

    client_run(home, test, auth=Auth(token="t0k"))


def test_sign_in_returns_to_the_whole_address(home: Home) -> None:
    async def test(c: Client) -> None:
        r = await c.get("/findings?credit_status=uncredited&review_state=new",
                        allow_redirects=False)
        assert r.status == 303
        login = await (await c.get(r.headers["Location"])).text()
        m = re.search(r'name="next" value="([^"]*)"', login)
        assert m and m.group(1) == "/findings?credit_status=uncredited&amp;review_state=new"

    client_run(home, test, auth=Auth(token="t0k"))


def test_ids_beyond_any_row_are_404_not_500(home: Home) -> None:
    huge = "9" * 30

    async def test(c: Client) -> None:
        bearer = {"Authorization": "Bearer t"}
        for path in (f"/findings/{huge}", f"/findings/{2**31}", f"/api/findings/{huge}",
                     f"/findings/{home.ids['hostile']}/versions/{huge}"):
            r = await c.get(path, headers=bearer, allow_redirects=False)
            assert r.status in (400, 404), (path, r.status)
        for kind, body in (("review", {"action": "confirm"}), ("allow-site", {})):
            r = await c.post(f"/api/findings/{huge}/{kind}", json=body, headers=bearer)
            assert r.status == 404, kind
        for after in (f"2026-01-01T00:00:00+00:00~{huge}", "nan~1"):
            sort = "coverage" if after.startswith("nan") else "last_checked"
            r = await c.get("/api/findings", params={"after": after, "sort": sort},
                            headers=bearer)
            assert r.status == 400, after

    client_run(home, test, auth=Auth(token="t"))


def test_only_ascii_digits_name_a_finding(home: Home) -> None:
    async def test(c: Client) -> None:
        arabic_one = "\u0661"  # int() reads it as 1
        assert (await c.get(f"/findings/{arabic_one}")).status == 404

    client_run(home, test)


def test_text_parameters_with_nul_are_refused() -> None:
    """PostgreSQL cannot compare text with NUL in it (a 500 before)."""
    for name in ("site", "publication"):
        with pytest.raises(ReviewError, match=name):
            parse_query({name: "a\x00b"}, page_size=10)


def test_a_site_name_with_nul_is_404(home: Home) -> None:
    async def test(c: Client) -> None:
        assert (await c.get("/sites/a%00b")).status == 404

    client_run(home, test)


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01T00:00:00%2B01:00",
                                   "since=9999-12-31T23:59:59-01:00",
                                   "after=0001-01-01T00:00:00%2B01:00~5"])
def test_dates_out_of_range_are_400_not_500(home: Home, query: str) -> None:
    async def test(c: Client) -> None:
        for path in ("/findings", "/api/findings", "/reports/download"):
            r = await c.get(f"{path}?{query}")
            assert r.status == 400, (path, r.status)

    client_run(home, test)


def test_the_api_cursor_survives_a_query_string_as_is(home: Home) -> None:
    """``next`` pasted into a URL unencoded (curl "...?after=$next"): a ``+`` in it (the
    ``+00:00`` of a time) would arrive as a space."""
    import dataclasses

    home.config = dataclasses.replace(
        home.config, review=dataclasses.replace(home.config.review, page_size=1))

    async def test(c: Client) -> None:
        first = await (await c.get("/api/findings")).json()
        cursor = first["next"]
        assert cursor and "+" not in cursor and " " not in cursor
        r = await c.get(f"/api/findings?after={cursor}")
        assert r.status == 200
        second = await r.json()
        assert second["findings"][0]["id"] != first["findings"][0]["id"]

    client_run(home, test)


def test_recheck_of_a_page_taken_down_makes_the_finding_gone(tmp_path: Path) -> None:
    """A 404 / 410 is how a copy is taken down: ``recheck`` marks such findings gone; the
    UI's re-check said "could not check the page" and left the finding open."""
    from aiohttp import web

    from tests.localserver import Server
    from tests.matcher.texts import ORIGINAL_PARAGRAPHS, page_html, paragraphs_html

    async def removed(_: web.Request) -> web.Response:
        return web.Response(status=410, text="gone")

    async def flaky(_: web.Request) -> web.Response:
        return web.Response(status=503, text="later")

    app = web.Application()
    app.router.add_get("/removed", removed)
    app.router.add_get("/flaky", flaky)
    copy = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS))
    with Server(app) as site:
        home = make_home(tmp_path, allow_private=True, extra={
            "removed": (site.url("/removed"), copy), "flaky": (site.url("/flaky"), copy)})

        async def test(c: Client) -> None:
            bearer = {"Authorization": "Bearer t"}
            r = await c.post(f"/api/findings/{home.ids['removed']}/recheck", headers=bearer)
            body = await r.json()
            assert body["finding"]["review_state"] == "gone"
            assert "410" in body["event"]["note"] and body["event"]["to_state"] == "gone"
            r = await c.post(f"/api/findings/{home.ids['flaky']}/recheck", headers=bearer)
            body = await r.json()  # a server error says nothing about the copy
            assert body["finding"]["review_state"] == "new"
            assert body["event"]["note"].startswith("could not check the page:")

        try:
            client_run(home, test, auth=Auth(token="t"))
        finally:
            home.store.close()


def test_without_a_recheck_handed_in_the_ui_says_so_and_fetches_nothing(home: Home) -> None:
    """The UI never fetches: "re-check now" is the shell's callable. An app made without one
    answers that re-check is not available, and the finding and its trail stay as they were."""
    fid = home.ids["credited"]

    async def test(c: Client) -> None:
        bearer = {"Authorization": "Bearer t"}
        before = await (await c.get(f"/api/findings/{fid}", headers=bearer)).json()
        r = await c.post(f"/api/findings/{fid}/recheck", headers=bearer)
        assert r.status == 400
        assert "re-check is not available" in (await r.json())["error"]
        after = await (await c.get(f"/api/findings/{fid}", headers=bearer)).json()
        assert after == before

    client_run(home, test, auth=Auth(token="t"), recheck=False)


def test_behind_a_tls_proxy_the_origin_check_accepts_this_host(home: Home) -> None:
    """Behind a TLS-terminating reverse proxy the browser's Origin is https://HOST while the
    server sees http: every form post was refused as cross-site."""
    fid = home.ids["hostile"]

    async def test(c: Client) -> None:
        page = await (await c.get(f"/findings/{fid}")).text()
        host = f"{c.server.host}:{c.server.port}"
        url = f"/findings/{fid}/review"
        for origin in ("https://evil.example", f"https://{host}.evil.example", "null",
                       f"ftp://{host}"):
            r = await c.post(url, data={"action": "confirm", "csrf_token": csrf_token(page)},
                             headers={"Origin": origin}, allow_redirects=False)
            assert r.status == 403, origin
        r = await c.post(url, data={"action": "confirm", "csrf_token": csrf_token(page)},
                         headers={"Origin": f"https://{host}"}, allow_redirects=False)
        assert r.status == 303

    client_run(home, test)
