"""archive-pipeline: archival document pages in, normalized JSON records out.

Data flows one way: fetch -> RawPage -> clean -> CleanDoc -> extract -> Record -> write.
"""

__version__ = "0.1.0"
SCHEMA_VERSION = "1.0"
