"""The domain's types, below every package that uses them: the document an engine reads, the
parameters and result of a summary, the model's description and the `Engine` protocol
(`summary.py`), and the request length in sentences, words and characters (`length.py`).
They import only `service.text`; the editorial policy, the ranker, the engines and the use
case all import them."""
