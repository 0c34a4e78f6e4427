"""Contract-driven PySpark job: raw files -> curated Parquet, quarantine, dedupe, metrics, lineage."""

__version__ = "0.1.0"
