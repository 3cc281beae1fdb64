"""Scrapy settings of the repostwatch project (``scrapy.cfg`` points here).

These are the static defaults; every spider layers the user's ``[crawl]`` config on top
(``crawler.spiders.crawl_settings``: user agent, delays, limits, proxy), so ``scrapy crawl
watch`` from the project root and ``repostwatch crawl`` behave the same. Our own settings start
with ``REPOSTWATCH_``.
"""

from repostwatch.config import DEFAULT_USER_AGENT

BOT_NAME = "repostwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Names resolved to IPv4 and IPv6 addresses, cached (``DNSCACHE_SIZE``) for the life of the
# crawl process: Scrapy's default (``CachingThreadedResolver``) gives one IPv4 address and none
# for an IPv6 literal. Installed by ``crawler.runner`` as Scrapy's ``CrawlerProcess`` would;
# ``crawler.guard`` vets every address it gives. It ignores ``DNS_TIMEOUT``; a slow answer is
# bounded by ``DOWNLOAD_TIMEOUT`` (``[crawl] timeout``).
TWISTED_DNS_RESOLVER = "scrapy.resolver.CachingHostnameResolver"

# Politeness (docs/crawling.md): robots.txt, few requests per site, adaptive delays.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
USER_AGENT = DEFAULT_USER_AGENT

# Hostile-web limits: huge pages (and gzip bombs) stop at 10 MiB; slow pages at 30 s.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 2
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # a page given up on is a counted page problem, not an error
DEPTH_PRIORITY = 1  # breadth first: the home page's links before deep archives
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# A <meta http-equiv="refresh"> is followed as a redirect only when it fires within 3 s (Scrapy
# follows up to 100 s): a page that stays longer is what readers see, and a copy could hide
# behind "90;url=/about". Targets that are not http(s) are never followed (our middleware).
METAREFRESH_MAXDELAY = 3

DOWNLOADER_MIDDLEWARES = {
    # robots.txt as RFC 9309 says (5xx or unreachable: disallow), in place of Scrapy's own
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.politeness.RobotsTxtMiddleware": 100,
    "crawler.middlewares.ErrbackMiddleware": 50,
    # the address guard (private/local addresses, names through a proxy), before robots.txt
    "crawler.guard.AddressGuard": 60,
    "crawler.middlewares.ProxyMiddleware": 350,
    "crawler.middlewares.RedirectLoopMiddleware": 650,  # before Scrapy's redirects (600)
    # decode as the judge does: after decompression (590), before meta refreshes (580)
    "crawler.middlewares.DecodingMiddleware": 585,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,
}
EXTENSIONS = {
    # after AutoThrottle (order 0): Crawl-delay / Retry-After floors are applied last
    "crawler.politeness.SiteDelays": 500,
    "crawler.extensions.HtmlOnly": 500,
    "crawler.extensions.QuietCollector": 500,
}
# Scrapy starts CONCURRENT_ITEMS tasks for the output of every response (100 by default), to
# handle what is mostly one item and a few dozen links: ~1 ms of the crawl process's time a
# page (benchmarks/crawl.py --profile). Eight keep a page's item (which waits for its batch to
# be recorded) from holding up its links.
CONCURRENT_ITEMS = 8
ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": 300,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Our own settings.
REPOSTWATCH_SITE_DELAYS = True  # honour Crawl-delay and Retry-After (crawler.politeness)
REPOSTWATCH_GC_TUNING = True  # start-up objects frozen for the collector (QuietCollector)
REPOSTWATCH_MAX_CRAWL_DELAY = 30.0
REPOSTWATCH_MAX_RETRY_AFTER = 120.0
REPOSTWATCH_CONFIG = None  # path of repostwatch.toml (None: the usual search, see config.py)
REPOSTWATCH_PROXY = ""  # HTTP proxy for every request ("" = none)
REPOSTWATCH_ALLOW_PRIVATE = False  # lift the address guard (crawler.guard)
REPOSTWATCH_ALLOW_PRIVATE_SITES: list[str] = []  # sites the guard lets through (addresses)
