"""The sandbox web: the fake internet the demo, the tests and the benchmarks crawl.

Everything is fetched through the threaded server with urllib and a proxy handler, as a real
client would (no asyncio in the main thread: the suite runs under pytest-twisted).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from rapidfuzz import fuzz
from selectolax.lexbor import LexborHTMLParser

from crawler.sandbox import (
    PUBLISHER,
    WATCH_SITES,
    SandboxError,
    SandboxServer,
    demo_config,
    expected_pages,
)
from crawler.sandbox.content import coined_name, generate_article
from crawler.sandbox.sites import SITES, WIRE_STORIES
from repostwatch.config import load_config

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Fetched:
    def __init__(self, status: int, content_type: str, body: str) -> None:
        self.status, self.content_type, self.body = status, content_type, body

    @property
    def text(self) -> str:
        """Visible text, white space collapsed."""
        body = LexborHTMLParser(self.body).body
        return " ".join((body.text(separator=" ") if body else "").split())

    def links(self, base: str) -> set[str]:
        tree = LexborHTMLParser(self.body)
        return {urljoin(base, a.attributes["href"] or "") for a in tree.css("a[href]")}


def fetch(proxy_url: str, url: str, method: str = "GET") -> Fetched:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy_url}))
    request = urllib.request.Request(url, method=method)
    try:
        with opener.open(request, timeout=10) as resp:
            return Fetched(resp.status, resp.headers["Content-Type"], resp.read().decode())
    except urllib.error.HTTPError as err:
        with err:
            return Fetched(err.code, err.headers["Content-Type"], err.read().decode())


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture(scope="module")
def get(sandbox):
    return lambda url, method="GET": fetch(sandbox.proxy_url, url, method)


def article_paragraphs(page: Fetched) -> list[str]:
    """The paragraphs of a publisher article page, as a reader sees them."""
    tree = LexborHTMLParser(page.body)
    return [" ".join(p.text().split()) for p in tree.css("article > p:not(.byline)")]


def sitemap_urls(get) -> list[str]:
    resp = get(PUBLISHER.sitemap)
    assert resp.status == 200
    assert resp.content_type.startswith("application/xml")
    root = ET.fromstring(resp.body)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    for url in root.findall("sm:url", SITEMAP_NS):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00",
                            url.findtext("sm:lastmod", "", SITEMAP_NS))
    return [loc.text or "" for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


class _Balance(HTMLParser):
    """Checks that every non-void element is closed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.titles = 0

    def handle_starttag(self, tag, attrs):
        self.titles += tag == "title"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def assert_valid_html(body: str) -> None:
    assert body.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    checker = _Balance()
    checker.feed(body)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    assert checker.titles == 1
    title = LexborHTMLParser(body).css_first("title")
    assert title is not None and title.text().strip()


# --- The publisher -----------------------------------------------------------------------------


def test_sitemap_lists_every_article_and_each_serves_the_repost_rule(get):
    urls = sitemap_urls(get)
    # the paper's own 8 stories and the wire stories it ran (WIRE_STORIES)
    assert len(urls) == 8 + len(WIRE_STORIES) == len(set(urls))
    for url in urls:
        assert urlsplit(url).netloc == "daily-planet.test"
        page = get(url)
        assert page.status == 200
        assert page.content_type == "text/html; charset=utf-8"
        assert "Reposts are welcomed with the reference to The Daily Planet." in page.text
        tree = LexborHTMLParser(page.body)
        assert tree.css_first('link[rel="canonical"]').attributes["href"] == url
        assert tree.css_first('meta[property="og:site_name"]').attributes["content"] == (
            "The Daily Planet"
        )
        assert tree.css_first("article h1").text() == tree.css_first(
            'meta[property="og:title"]').attributes["content"]
        assert tree.css_first("article time[datetime]") is not None
        assert tree.css_first("aside.related a[href]") is not None
        paragraphs = [p for p in article_paragraphs(page) if not p.startswith("(Reporting by")]
        assert 5 <= len(paragraphs) <= 9
        assert 300 <= sum(len(p.split()) for p in paragraphs) <= 650  # "$1.2" is one word here


def test_home_and_feed_list_the_articles(get):
    urls = set(sitemap_urls(get))
    home = get(PUBLISHER.home)
    assert home.status == 200
    assert urls <= home.links(PUBLISHER.home)
    feed = get(PUBLISHER.feed)
    assert feed.content_type.startswith("application/rss+xml")
    channel = ET.fromstring(feed.body).find("channel")
    items = channel.findall("item")
    assert {item.findtext("link") for item in items} == urls
    for item in items:
        assert item.findtext("title") and item.findtext("description")
        assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", item.findtext("pubDate"))


def test_publisher_robots_allows_all_and_names_the_sitemap(get):
    resp = get("http://daily-planet.test/robots.txt")
    assert resp.content_type.startswith("text/plain")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(resp.body.splitlines())
    assert robots.can_fetch("repostwatch", PUBLISHER.home)
    assert robots.site_maps() == [PUBLISHER.sitemap]


# --- The watch sites ---------------------------------------------------------------------------


def test_expected_pages_cover_every_site_and_are_served(get):
    pages = expected_pages()
    assert {f"http://{urlsplit(p.url).netloc}/" for p in pages} == set(WATCH_SITES)
    assert len({p.url for p in pages}) == len(pages)
    for page in pages:
        resp = get(page.url)
        assert resp.status == 200, page.url
        assert resp.content_type == "text/html; charset=utf-8"
        assert_valid_html(resp.body)
        if page.original_url is not None:
            assert get(page.original_url).status == 200


def test_expected_pages_answer_key():
    by_host = {}
    for page in expected_pages():
        by_host.setdefault(urlsplit(page.url).netloc, []).append(
            (page.verdict, page.credit_status, page.original_url is not None))
    assert by_host == {
        "newsmirror.test": [("repost", "credited", True)],
        "quotehub.test": [("repost", "credited", True)],
        "syndicate.test": [("repost", "credited", True)],
        "scraperdaily.test": [("repost", "uncredited", True)] * 3,
        "blogroll.test": [("excerpt", "credited", True)],
        "wrongsource.test": [("repost", "misattributed", True)],
        "partner-news.test": [("repost", "allowed", True)],
        "metro-herald.test": [("repost", "credited", True)] * 2,  # credits the wire
        "valley-times.test": [("repost", "uncredited", True)] * 2,  # credits nobody
        "localnews.test": [("none", None, False)] * 2,
    }
    wire = {PUBLISHER.article_url(s.slug) for s in WIRE_STORIES}
    assert {p.url for p in expected_pages() if p.kept_apart == "syndicated"} == {
        p.url for p in expected_pages() if p.original_url in wire}  # exactly the wire copies
    originals = [p.original_url for p in expected_pages() if p.original_url]
    # different copies copy different articles while they can; the wire copies, the 2 wire stories
    assert len(set(originals)) == 8 + len(WIRE_STORIES)
    assert expected_pages() == expected_pages()  # deterministic
    assert len(expected_pages(2)) == len(expected_pages())
    assert len({p.original_url for p in expected_pages(2) if p.original_url}) == 2 + len(wire)


def test_each_watch_site_home_links_to_all_its_pages(get):
    for site in SITES:
        home = get(site.home)
        assert home.status == 200
        assert_valid_html(home.body)
        links = home.links(site.home)
        own = {p.url for p in expected_pages() if urlsplit(p.url).netloc == site.host}
        assert own and own <= links, site.host
    assert "http://scraperdaily.test/private/copy.html" in get("http://scraperdaily.test/").links(
        "http://scraperdaily.test/")


def test_private_copy_exists_but_robots_forbids_it(get):
    robots = urllib.robotparser.RobotFileParser()
    resp = get("http://scraperdaily.test/robots.txt")
    assert resp.status == 200 and resp.content_type.startswith("text/plain")
    robots.parse(resp.body.splitlines())
    private = "http://scraperdaily.test/private/copy.html"
    assert not robots.can_fetch("repostwatch", private)
    assert get(private).status == 200
    assert private not in {p.url for p in expected_pages()}
    for page in expected_pages():
        if page.url.startswith("http://scraperdaily.test/"):
            assert robots.can_fetch("repostwatch", page.url)


def test_copies_carry_the_original_text_and_the_promised_credit(get):
    pages = {urlsplit(p.url).netloc: p for p in expected_pages()}
    scraper = [p for p in expected_pages() if p.url.startswith("http://scraperdaily.test/")]

    def both(page):
        return get(page.url), article_paragraphs(get(page.original_url))

    copy, paragraphs = both(pages["newsmirror.test"])
    assert all(p in copy.text for p in paragraphs)
    assert "Source: The Daily Planet" in copy.text
    assert pages["newsmirror.test"].original_url in copy.links(pages["newsmirror.test"].url)

    copy, paragraphs = both(pages["quotehub.test"])
    assert all(p in copy.text for p in paragraphs)
    assert "This article first appeared in The Daily Planet." in copy.text
    assert not any("daily-planet.test" in link for link in copy.links(pages["quotehub.test"].url))

    copy, paragraphs = both(pages["syndicate.test"])
    assert all(p in copy.text for p in paragraphs)
    canonical = LexborHTMLParser(copy.body).css_first('link[rel="canonical"]')
    assert canonical.attributes["href"] == pages["syndicate.test"].original_url
    assert "daily planet" not in copy.text.lower()

    copy, paragraphs = both(pages["wrongsource.test"])
    assert all(p in copy.text for p in paragraphs)
    assert "Source: Metro Gazette" in copy.text
    assert "daily planet" not in copy.body.lower()

    copy, paragraphs = both(pages["partner-news.test"])
    assert all(p in copy.text for p in paragraphs)
    assert "daily planet" not in copy.body.lower() and "daily-planet" not in copy.body

    ads, short, edited = scraper
    for page in scraper:
        body = get(page.url).body.lower()
        assert "daily planet" not in body and "daily-planet" not in body
    copy, paragraphs = both(ads)
    assert all(p in copy.text for p in paragraphs)
    assert "Advertisement" in copy.text and "Read also:" in copy.text
    copy, paragraphs = both(short)
    kept = [p in copy.text for p in paragraphs]
    assert kept[0] and not kept[-1] and kept == sorted(kept, reverse=True)
    assert 0.3 <= sum(kept) / len(kept) <= 0.5
    copy, paragraphs = both(edited)
    assert sum(p in copy.text for p in paragraphs) < len(paragraphs) / 2  # words were swapped
    assert fuzz.ratio(" ".join(paragraphs), copy.text) > 85

    copy, paragraphs = both(pages["blogroll.test"])
    assert paragraphs[0] in copy.text and paragraphs[1] not in copy.text
    assert len(paragraphs[0].split()) >= 60
    tree = LexborHTMLParser(copy.body)
    more = [a for a in tree.css("a[href]") if a.text() == "Read more at The Daily Planet"]
    assert [a.attributes["href"] for a in more] == [pages["blogroll.test"].original_url]


def test_local_pages_copy_nothing_and_one_names_the_cafe(get):
    local = [p for p in expected_pages() if p.url.startswith("http://localnews.test/")]
    texts = [get(p.url).text for p in local]
    assert sum("the Daily Planet café on Main Street" in t for t in texts) == 1
    published = set().union(*(shingles(get(u).text) for u in sitemap_urls(get)))
    for text in texts:
        assert not shingles(text) & published


def test_unknown_host_is_a_502_and_unknown_path_a_404(get):
    resp = get("http://nowhere.test/")
    assert resp.status == 502
    assert resp.body.startswith("no such sandbox site: nowhere.test")
    resp = get("http://daily-planet.test:8080/news/no-such-story.html")
    assert resp.status == 404
    assert resp.content_type == "text/html; charset=utf-8"
    assert_valid_html(resp.body)
    assert get("http://newsmirror.test/nothing-here").status == 404
    assert get("http://daily-planet.test/", method="POST").status == 405


# --- The server --------------------------------------------------------------------------------


def test_requests_are_logged_in_order():
    with SandboxServer(articles=2) as server:
        assert server.requests == []
        fetch(server.proxy_url, "http://daily-planet.test/robots.txt")
        fetch(server.proxy_url, "http://newsmirror.test/?page=2")
        fetch(server.proxy_url, "http://nowhere.test/x")
        assert server.requests == [
            ("daily-planet.test", "/robots.txt"),
            ("newsmirror.test", "/?page=2"),
            ("nowhere.test", "/x"),
        ]
        assert server.proxy_url == f"http://127.0.0.1:{server.port}" and server.port > 0
    with pytest.raises(urllib.error.URLError):
        fetch(server.proxy_url, "http://daily-planet.test/")  # stopped


def test_a_taken_port_is_a_clear_error(sandbox):
    with pytest.raises(SandboxError, match=f"127.0.0.1:{sandbox.port}"):
        SandboxServer(port=sandbox.port).start()


@pytest.mark.parametrize(("args", "message"), [
    (("--port", "TAKEN"), "cannot serve the sandbox web on 127.0.0.1:TAKEN"),
    (("--port", "99999"), "99999 is not in the range 0<=x<=65535"),
    (("--articles", "0"), "--articles 0: the sandbox serves 1 to 100,000"),
    (("--articles", "100000001"), "the sandbox serves 1 to 100,000"),
])
def test_the_sandbox_command_refuses_bad_options_in_a_line(sandbox, capsys, args, message):
    """A taken port or an option out of range: one line and exit 2, not a traceback (1)."""
    from tests.repostwatch.clihome import run

    taken = str(sandbox.port)
    assert run("sandbox", *(a.replace("TAKEN", taken) for a in args)) == 2
    err = capsys.readouterr().err
    assert message.replace("TAKEN", taken) in err and "Traceback" not in err


def test_many_articles_start_fast_and_render_on_demand():
    with SandboxServer(articles=3000) as server:
        last = generate_article(2999)
        page = fetch(server.proxy_url, f"http://daily-planet.test/news/{last.slug}.html")
        assert page.status == 200 and last.paragraphs[-1] in page.text
        assert len(server.requests) == 1


def test_command_line_prints_the_proxy_and_stops_cleanly_on_ctrl_c():
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.sandbox", "--articles", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        line = proc.stdout.readline()
        match = re.fullmatch(r"sandbox web: proxy (http://127\.0\.0\.1:\d+) \(sites: (.*)\)\n",
                             line)
        assert match, line
        assert "daily-planet.test" in match.group(2) and "localnews.test" in match.group(2)
        assert fetch(match.group(1), "http://daily-planet.test/robots.txt").status == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert out == ""  # one line on stdout, nothing else
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Traceback" not in err


# --- The demo configuration --------------------------------------------------------------------


def test_demo_config_loads(tmp_path):
    path = tmp_path / "repostwatch.toml"
    path.write_text(demo_config("http://127.0.0.1:8123"), encoding="utf-8")
    config = load_config(path, env={})
    (pub,) = config.publications
    assert pub.name == PUBLISHER.name
    assert pub.aliases == PUBLISHER.aliases
    assert pub.domains == PUBLISHER.domains
    assert pub.allow == PUBLISHER.allow
    assert pub.originals == (PUBLISHER.sitemap,)
    assert [w.url for w in config.watch] == list(WATCH_SITES)
    assert all(w.max_pages == 50 and w.max_depth == 2 for w in config.watch)
    assert config.crawl.proxy == "http://127.0.0.1:8123"
    assert config.crawl.download_delay == 0 and config.crawl.autothrottle is False
    assert "[database]" not in path.read_text(encoding="utf-8")

    db = f"sqlite:///{tmp_path / 'demo.db'}"
    path.write_text(demo_config("http://127.0.0.1:8123", database_url=db), encoding="utf-8")
    assert load_config(path, env={}).database_url == db


# --- The generator -----------------------------------------------------------------------------


def test_generated_articles_share_no_run_of_eight_words():
    articles = [generate_article(i) for i in range(50)]
    articles += [generate_article(i, namespace=ns) for ns in ("localnews", "blogroll")
                 for i in range(3)]
    seen: dict[tuple[str, ...], int] = {}
    for number, article in enumerate(articles):
        for shingle in shingles(article.text):
            assert seen.setdefault(shingle, number) == number, (shingle, article.title)
    assert len({a.title for a in articles}) == len(articles)


def test_the_shingle_check_would_catch_a_copy():
    a, b = generate_article(0), generate_article(1)
    borrowed = " ".join(a.paragraphs[0].split()[:8])
    assert shingles(a.text) & shingles(b.text + " " + borrowed)


def test_generated_articles_are_deterministic_and_news_sized():
    assert generate_article(7) == generate_article(7)
    assert generate_article(7) != generate_article(8)
    for i in range(30):
        article = generate_article(i)
        assert 300 <= article.words <= 600
        assert 5 <= len(article.paragraphs) <= 9
        assert article.published.tzinfo is not None and article.published.utcoffset().seconds == 0
        assert article.slug == "-".join(re.findall(r"\w+", article.title.lower()))
        assert "daily planet" not in article.text.lower()
    with pytest.raises(ValueError, match="namespace"):
        generate_article(0, namespace="nowhere")


def test_coined_names_are_distinct():
    for person in (False, True):
        names = [coined_name(code, person=person) for code in range(60_000)]
        assert len(set(names)) == len(names)
    places = {coined_name(code) for code in range(20_000)}
    assert not places & {coined_name(code, person=True) for code in range(20_000)}


def test_the_wire_stories_are_signed_as_their_wires_sign_and_licensees_run_them(get):
    """The paper's archive mixes its own stories with wire stories: each wire story opens with
    the wire's dateline under the wire's byline; one licensee keeps the marks, another strips
    them. The matcher, reading the stories as an import would, tells them apart."""
    from matcher import Original, detect_source

    for story in WIRE_STORIES:
        url = PUBLISHER.article_url(story.slug)
        page = get(url)
        paragraphs = article_paragraphs(page)
        assert paragraphs[0].startswith(story.dateline.strip())
        assert story.byline in page.text
        decided = detect_source(Original(0, PUBLISHER.name, url, "", "\n".join(paragraphs)))
        assert decided.source == story.wire, decided.reason
    own = sitemap_urls(get)[0]
    assert detect_source(Original(0, PUBLISHER.name, own, "",
                                  "\n".join(article_paragraphs(get(own))))).source is None
    for page in expected_pages():
        if page.kept_apart is None:
            continue
        text = get(page.url).text
        marks = any(s.dateline.strip() in text for s in WIRE_STORIES)
        assert marks == (page.credit_status == "credited"), page.url
