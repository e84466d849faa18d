"""The extractive ranker: what it reads of an article (`ranking.RankInput`, built by
`ranking.rank_input`), its features and scores (`ranking`, `salience`, `focus`), the lexical
vectors for languages the embedding model does not read (`lexical`), house-style profiles
(`profile`) and the fitting of a salience model (`salience_fit`). Serving (the extractive
engine), calibration and the benchmarks share it; it imports only `service.domain` and
`service.text`."""
