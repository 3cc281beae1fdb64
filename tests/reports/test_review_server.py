"""The review UI over HTTP (aiohttp's test server on 127.0.0.1): sign-in, CSRF, no action by
GET, escaping of hostile page content, security headers, the JSON API and re-check."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from reports import NAMES
from reports.web import Auth, check_bind
from repostwatch.errors import UsageError
from tests.localserver import Server
from tests.matcher.texts import ORIGINAL_PARAGRAPHS, page_html, paragraphs_html
from tests.reports.reviewhome import ORIGINAL_URL, Home, client_run, csrf_token, make_home
from tests.repostwatch.clihome import make_home as make_cli_home
from tests.repostwatch.clihome import run

Client = Any


def _state(home: Home, name: str) -> str:
    return next(f.review_state for f in home.store.findings(include_gone=True)
                if f.id == home.ids[name])


def test_every_answer_carries_the_security_headers(home: Home) -> None:
    async def test(c: Client) -> None:
        for path in ("/findings", f"/findings/{home.ids['hostile']}", "/findings/999",
                     "/api/findings", "/static/review.css", "/sites", "/findings?sort=x"):
            r = await c.get(path)
            csp = r.headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, path
            assert "script-src" not in csp and "'unsafe-inline'" not in csp, path
            assert r.headers["X-Content-Type-Options"] == "nosniff", path
            assert r.headers["Referrer-Policy"] == "same-origin", path
        assert (await c.get("/findings/999")).status == 404
        assert (await c.get("/findings?sort=x")).status == 400

    client_run(home, test)


def test_hostile_page_content_is_escaped(home: Home) -> None:
    async def test(c: Client) -> None:
        for path in ("/findings", f"/findings/{home.ids['hostile']}", "/sites/hostile.test"):
            html = await (await c.get(path)).text()
            assert "<script" not in html.lower(), path
            assert "<img" not in html.lower() and "javascript:" not in html.lower(), path
            assert "onerror=alert(1)&gt;" in html or "onerror=alert(1)" not in html, path
        page = await (await c.get(f"/findings/{home.ids['hostile']}")).text()
        assert "Pier &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &#34;&gt;&lt;img" in page
        # the saved page is framed sandboxed, and served with a sandbox policy of its own
        assert re.search(r'<iframe sandbox="" [^>]*src="/findings/\d+/versions/\d+"', page)
        version = re.search(r'src="(/findings/\d+/versions/\d+)"', page).group(1)  # type: ignore[union-attr]
        saved = await c.get(version)
        csp = saved.headers["Content-Security-Policy"]
        assert csp.startswith("sandbox;") and "default-src 'none'" in csp
        assert "<script>document.title='pwned'</script>" in await saved.text()  # as fetched

    client_run(home, test)


def test_only_http_links_are_rendered(tmp_path: Path) -> None:
    home = make_home(tmp_path, extra={"js": ("javascript:alert(1)//copy", page_html(
        paragraphs_html(ORIGINAL_PARAGRAPHS)))})

    async def test(c: Client) -> None:
        page = await (await c.get(f"/findings/{home.ids['js']}")).text()
        assert 'href="javascript' not in page.lower()
        assert '<span class="unsafe-url">javascript:alert(1)//copy</span>' in page
        assert f'href="{ORIGINAL_URL}"' in page  # a real link stays a link

    try:
        client_run(home, test)
    finally:
        home.store.close()


def test_no_action_is_reachable_by_get(home: Home) -> None:
    async def test(c: Client) -> None:
        fid = home.ids["hostile"]
        for kind in ("review", "allow-site", "recheck"):
            for prefix in ("", "/api"):
                r = await c.get(f"{prefix}/findings/{fid}/{kind}?action=confirm")
                assert r.status == 405, (prefix, kind)

    client_run(home, test)
    assert _state(home, "hostile") == "new"
    assert home.store.findings(include_gone=True)[0].credit_status != "allowed"


def test_posts_need_the_csrf_token(home: Home) -> None:
    fid = home.ids["hostile"]

    async def test(c: Client) -> None:
        url = f"/findings/{fid}/review"
        r = await c.post(url, data={"action": "confirm"}, allow_redirects=False)
        assert r.status == 403 and "CSRF" in await r.text()
        page = await (await c.get(f"/findings/{fid}")).text()  # sets the CSRF cookie
        token = csrf_token(page)
        r = await c.post(url, data={"action": "confirm", "csrf_token": token + "x"},
                         allow_redirects=False)
        assert r.status == 403
        r = await c.post(url, data={"action": "confirm", "csrf_token": token},
                         headers={"Origin": "https://evil.example"}, allow_redirects=False)
        assert r.status == 403 and "cross-site" in await r.text()
        r = await c.post(url, data={"action": "confirm", "csrf_token": token},
                         headers={"Origin": "null"}, allow_redirects=False)
        assert r.status == 403
        assert _state(home, "hostile") == "new"
        r = await c.post(url, data={"action": "confirm", "csrf_token": token},
                         allow_redirects=False)
        assert r.status == 303 and r.headers["Location"] == f"/findings/{fid}"
        assert _state(home, "hostile") == "confirmed"
        # the API takes the same token as a header when no bearer token is used
        session = await (await c.get("/api/session")).json()
        r = await c.post(f"/api/findings/{fid}/review", json={"action": "resolved"},
                         headers={"X-CSRF-Token": session["csrf_token"]})
        assert r.status == 200 and (await r.json())["finding"]["review_state"] == "resolved"
        r = await c.post(f"/api/findings/{fid}/review", json={"action": "reopen"})
        assert r.status == 403

    client_run(home, test)
    assert _state(home, "hostile") == "resolved"


def test_loopback_without_token_answers_only_loopback_names(home: Home) -> None:
    async def test(c: Client) -> None:
        r = await c.get("/findings", headers={"Host": "attacker.example"})
        assert r.status == 403
        assert (await c.get("/findings", headers={"Host": "localhost:8080"})).status == 200

    client_run(home, test)


def test_a_token_guards_pages_and_api(home: Home) -> None:
    fid = home.ids["partial"]

    async def test(c: Client) -> None:
        r = await c.get("/findings", allow_redirects=False)
        assert r.status == 303 and r.headers["Location"].startswith("/login")
        assert (await c.get("/api/findings")).status == 401
        assert (await c.get("/api/findings", headers={"Authorization": "Bearer nope"})
                ).status == 401
        bearer = {"Authorization": "Bearer s3cret-token"}
        assert (await c.get("/api/findings", headers=bearer)).status == 200
        # a bearer client needs no CSRF token (a browser never sends that header by itself)
        r = await c.post(f"/api/findings/{fid}/review", headers=bearer,
                         json={"action": "contacted", "note": "wrote to the editor"})
        assert r.status == 200
        assert (await r.json())["event"]["actor"] == "token"
        # a browser signs in with the token
        login = await (await c.get("/login?next=/sites")).text()
        r = await c.post("/login", data={"token": "wrong", "csrf_token": csrf_token(login),
                                         "next": "/sites"}, allow_redirects=False)
        assert r.status == 403
        r = await c.post("/login", data={"token": "s3cret-token", "csrf_token": csrf_token(login),
                                         "next": "//evil.example/"}, allow_redirects=False)
        assert r.status == 303 and r.headers["Location"] == "/findings"
        page = await (await c.get(f"/findings/{fid}")).text()
        assert "wrote to the editor" in page
        r = await c.post(f"/findings/{fid}/review", allow_redirects=False,
                         data={"action": "confirm", "csrf_token": csrf_token(page)})
        assert r.status == 303

    client_run(home, test, auth=Auth(token="s3cret-token"))
    assert _state(home, "partial") == "confirmed"


def test_users_sign_in_with_their_own_tokens(home: Home) -> None:
    digest = hashlib.sha256(b"ann-token").hexdigest()
    auth = Auth.from_config("", (f"ann:{digest}",))

    async def test(c: Client) -> None:
        r = await c.post(f"/api/findings/{home.ids['credited']}/review", json={
            "action": "false_positive"}, headers={"Authorization": "Bearer ann-token"})
        assert (await r.json())["event"]["actor"] == "ann"
        assert (await c.get("/api/findings", headers={"Authorization": "Bearer s3cret"})
                ).status == 401

    client_run(home, test, auth=auth)


def test_binding_beyond_loopback_needs_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    check_bind("127.0.0.1", Auth())
    check_bind("::1", Auth())
    check_bind("0.0.0.0", Auth(token="t" * 16))
    check_bind("127.0.0.1", Auth(token="t"))  # this machine only: any token will do
    with pytest.raises(UsageError, match="without a token"):
        check_bind("0.0.0.0", Auth())
    for short in ("t", " " * 20, "a-15-char-token"):  # used to be accepted on a public bind
        with pytest.raises(UsageError, match="could be guessed"):
            check_bind("0.0.0.0", Auth(token=short))
    make_cli_home(tmp_path, monkeypatch)
    monkeypatch.delenv("REPOSTWATCH_REVIEW_TOKEN", raising=False)
    assert run("serve", "--host", "0.0.0.0", "--port", "1") == 2
    err = capsys.readouterr().err
    assert "refusing to serve the review UI on 0.0.0.0 without a token" in err
    assert "REPOSTWATCH_REVIEW_TOKEN" in err


def test_list_filters_sort_and_counts(home: Home) -> None:
    async def test(c: Client) -> None:
        html = await (await c.get("/findings?credit_status=uncredited")).text()
        assert re.findall(r'<tr data-id="(\d+)"', html) == [str(home.ids["hostile"])]
        assert 'data-facet="credit_status" data-value="partial">partial</a> <span class="n">1' \
            in html
        data = await (await c.get("/api/findings?sort=coverage&order=asc")).json()
        assert [f["coverage"] for f in data["findings"]] == sorted(
            f["coverage"] for f in data["findings"])
        assert data["total"] == 3 and data["counts"]["review_state"] == {"new": 3}
        r = await c.get("/api/findings?review_state=deleted")
        assert r.status == 400 and "review_state" in (await r.json())["error"]

    client_run(home, test)


def test_api_actions_and_allow_list(home: Home) -> None:
    fid = home.ids["hostile"]
    bearer = {"Authorization": "Bearer t"}

    async def test(c: Client) -> None:
        r = await c.post(f"/api/findings/{fid}/review", headers=bearer,
                         json={"action": "contacted"})
        assert r.status == 400 and "needs a note" in (await r.json())["error"]
        r = await c.post(f"/api/findings/{fid}/allow-site", headers=bearer,
                         json={"note": "syndication deal"})
        body = await r.json()
        assert body["changed"] == 1 and body["finding"]["credit_status"] == "allowed"
        detail = await (await c.get(f"/api/findings/{fid}", headers=bearer)).json()
        assert detail["site_allowed"] and detail["events"][0]["action"] == "allow_site"
        assert detail["history"] and detail["versions"] and detail["passages"]
        assert (await c.post("/api/findings/999/review", headers=bearer,
                             json={"action": "confirm"})).status == 404

    client_run(home, test, auth=Auth(token="t"))


def test_an_editor_says_where_the_original_comes_from(home: Home) -> None:
    """"This is an AP story": every copy of that original is kept apart at once (not lacking
    credit), the trail says so, the page shows it; "auto" follows the original's marks again."""
    fid = home.ids["partial"]
    bearer = {"Authorization": "Bearer t"}

    async def test(c: Client) -> None:
        before = await (await c.get("/api/findings?credit_status=partial",
                                    headers=bearer)).json()
        assert [f["kept_apart"] for f in before["findings"]] == [None]
        r = await c.post(f"/api/findings/{fid}/source", headers=bearer,
                         json={"source": "the associated press", "note": "AP copy, see slug"})
        body = await r.json()
        assert r.status == 200, body
        assert (body["finding"]["source"], body["finding"]["kept_apart"]) == (
            "Associated Press", "syndicated")
        assert body["event"]["action"] == "source"
        assert "Associated Press (a wire story), set by a person" in body["event"]["note"]
        page = await (await c.get(f"/findings/{fid}", headers=bearer)).text()
        assert "a wire story: <strong>Associated Press</strong>" in page
        assert 'id="kept-apart"' in page
        r = await c.post(f"/api/findings/{fid}/source", headers=bearer, json={"source": "auto"})
        body = await r.json()
        assert (body["finding"]["source"], body["finding"]["kept_apart"]) == (None, None)
        r = await c.post(f"/api/findings/{fid}/source", headers=bearer, json={"source": " "})
        assert r.status == 400 and "own, auto" in (await r.json())["error"]

    client_run(home, test, auth=Auth(token="t"))


def test_reports_download_in_every_format(home: Home) -> None:
    async def test(c: Client) -> None:
        for fmt in NAMES:
            r = await c.get(f"/reports/download?format={fmt}")
            assert r.status == 200, fmt
            assert r.headers["Content-Disposition"].startswith("attachment; filename=")
            body = await r.text()
            if fmt == "json":
                assert len(json.loads(body)["findings"]) == 2  # hostile and partial
            elif fmt == "csv":
                assert len(list(csv.DictReader(io.StringIO(body)))) == 2
            else:
                assert "<script" not in body.lower()
        assert (await c.get("/reports/download?format=pdf")).status == 400
        sites = await (await c.get("/sites")).text()
        assert all(s in sites for s in ("hostile.test", "credited.test", "partial.test"))

    client_run(home, test)


COPY_NOW_CREDITED = page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)
                              + f'<p>Source: <a href="{ORIGINAL_URL}">The Daily Planet</a></p>')


def _site() -> web.Application:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=COPY_NOW_CREDITED, content_type="text/html")

    app = web.Application()
    app.router.add_get("/copy", page)
    return app


@pytest.mark.parametrize("allow_private", [True, False])
def test_recheck_fetches_and_judges_like_check(tmp_path: Path, allow_private: bool) -> None:
    with Server(_site()) as site:
        url = site.url("/copy")
        home = make_home(tmp_path, allow_private=allow_private, extra={
            "local": (url, page_html(paragraphs_html(ORIGINAL_PARAGRAPHS)))})
        fid = home.ids["local"]

        async def test(c: Client) -> None:
            r = await c.post(f"/api/findings/{fid}/recheck",
                             headers={"Authorization": "Bearer t"})
            body = await r.json()
            if allow_private:
                assert body["finding"]["credit_status"] == "credited"
                assert body["event"]["note"] == "repost, coverage 100%, credit credited"
            else:  # 127.0.0.1 is refused by the SSRF guard: nothing but the trail changes
                assert body["finding"]["credit_status"] == "uncredited"
                assert body["event"]["note"].startswith("could not check the page:")
                assert "127.0.0.1" in body["event"]["note"]
                assert "to allow it: [crawl] allow_private_sites" in body["event"]["note"]

        try:
            client_run(home, test, auth=Auth(token="t"))
            history = home.store.copies_of(1)
            checks = next(c for c in history if c.id == fid).history
            assert len(checks) == (2 if allow_private else 1)
        finally:
            home.store.close()


def test_site_scorecards_are_the_reports_own(home: Home) -> None:
    from reports import build_report
    from reports.web.service import ReviewService
    from repostwatch.store.reviews import review as decide

    service = ReviewService(home.store, home.config)
    try:
        decide(home.store, home.ids["partial"], "false_positive")  # still a copy of its site
        assert service.sites() == build_report(home.store).sites
        assert service.site("partial.test") == next(
            s for s in build_report(home.store).sites if s.site == "partial.test")
        assert service.site("nowhere.test") is None
    finally:
        service.close()
