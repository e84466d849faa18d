"""Summariser engines behind one batch-first interface."""
