"""Lead-1/2/3 straight from a data file, as its README computes them: each raw article
split by pysbd's rules for its language (no cleaning, none of the service's read step),
scored with the ROUGE tokens bench.evaluate uses for that language (service/calibration/rouge.py).
It checks the scorer against the figures published with the data, independently of the
service: bench.evaluate's leads take the service's cleaned, split text instead.

    python -m bench.leads --data ../shared/data/fr-orangesum-dev.jsonl [--limit N]

Prints mean ROUGE-1/2/L/Lsum F1 x 100 per lead size (the summary's sentences one a line
for Lsum, the reference as given)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.evaluate import LEADS, SCORED, Scorers, read_rows, row_language


def raw_leads(rows: list[dict[str, str]], sizes: tuple[int, ...] = LEADS) -> dict[int, dict[str, float]]:
    """{k: {metric: mean F1 x 100}} of the first k pysbd sentences of each raw article."""
    import pysbd

    scorers = Scorers()
    segmenters: dict[str, pysbd.Segmenter] = {}
    scores: dict[int, dict[str, list[float]]] = {k: {m: [] for m in SCORED} for k in sizes}
    for row in rows:
        language = row_language(row)
        if language not in segmenters:
            segmenters[language] = pysbd.Segmenter(language=language, clean=False)
        sentences = [s.strip() for s in segmenters[language].segment(row["article"]) if s.strip()]
        for k in sizes:
            result = scorers(language).score(row["reference"], "\n".join(sentences[:k]))
            for metric in SCORED:
                scores[k][metric].append(100 * result[metric].fmeasure)
    return {k: {m: float(np.mean(v)) for m, v in by_metric.items()} for k, by_metric in scores.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    rows = read_rows(args.data, args.limit)
    print(f"{args.data.name} ({len(rows)} articles), raw articles split by pysbd:")
    print("| lead | ROUGE-1 | ROUGE-2 | ROUGE-L | ROUGE-Lsum |\n| --- | ---: | ---: | ---: | ---: |")
    for k, means in raw_leads(rows).items():
        print(f"| Lead-{k} | " + " | ".join(f"{means[m]:.2f}" for m in SCORED) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
