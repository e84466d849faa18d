"""Turning raw article text or HTML into clean, sentence-split prose."""
