"""Benchmark of the normalize pipeline against lxml and trafilatura: see bench/README.md."""
