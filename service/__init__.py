"""Précis: an article-summarisation microservice."""

__version__ = "0.1.0"
