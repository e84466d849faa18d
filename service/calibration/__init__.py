"""House-style calibration, on top of the ranker: a newsroom's archive read as the service
reads a request and embedded once (`archive`), the ranker fitted to its summaries and the
profile written (`calibrate`, the command: `python -m service calibrate`, `python -m
service.calibration`), and ROUGE's tokens per language (`rouge`, which the benchmarks share)."""
