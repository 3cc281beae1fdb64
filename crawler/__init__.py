"""repostwatch's application shell: CLI, configuration, Scrapy spiders, fetcher and store.

Kept free of imports so that ``repostwatch --help`` starts without loading the matcher.
"""

CONFIG_NAME = "repostwatch.toml"  # the configuration file looked for in the working folder
# The report formats (reports.FORMATS is this tuple), named here so that the CLI and the config
# check them without importing the reports package.
REPORT_FORMATS = ("html", "csv", "json", "md")
