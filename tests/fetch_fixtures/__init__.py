"""Local HTTP fixtures for the fetch-stage tests: a scripted server and config helpers."""
