"""Getting pages: the Scrapy project (spiders, pipeline, politeness, the distributed frontier),
the one-URL fetcher with its address guard, and the sandbox web that plays every site in tests
and the demo.

Kept free of imports. The crawler reads the config and writes the store (the rooms below it);
it never imports ``reports`` (the shell wires the two together).
"""
