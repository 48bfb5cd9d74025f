"""Fetch stage: a polite, incremental, crash-safe harvester that fills raw/<site>/ with pages.

Modules: config (pipeline.toml), discover (listings, sitemaps), politeness (robots.txt, rate
limits), http (retries, limits, redirects), classify (is it really a document?), state (SQLite
crawl state), store (raw files and sidecars), run (the harvest loop), command (the CLI).
"""
