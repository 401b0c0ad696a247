"""Benchmarks of s3graph: scale generator, ingestion, queries and HTTP load (``make bench``)."""
