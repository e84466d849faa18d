"""Summariser engines behind one batch-first interface (`service.domain.summary.Engine`): the
model adapters, which join a model to the ranker (`service.ranker`) or to the editorial policy
(`service.editorial`), and their loading (`registry`), device and precision."""
