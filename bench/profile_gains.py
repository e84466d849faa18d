"""Ranker profiles scored on the dev sets in calibration's path: the articles read and embedded
as calibration reads them (service/calibration/calibrate.py, embeddings cached on disk), each
profile's selection at N sentences against Lead-N, paired bootstrap 95% intervals, and the
share of summaries that are exactly the lede. tests/test_calibration.py ties this path to the
service's own selections; the figures through the service are bench.evaluate's.

    python -m bench.profile_gains [--model embedded|embedded-fast] [--profiles default centrality cnn FILE ...]

Each English set is scored as published and with its headline hidden from the ranker (the
"no headline" rows: the copy a CMS sends without a title). Seconds, not minutes, once the
dev sets' embeddings are cached, so a profile can be compared with the shipped ones in one run."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import DATA_DIR
from service.calibration import calibrate as fitting
from service.calibration.archive import DEFAULT_CACHE, EMBEDDED, EMBEDDERS
from service.ranker.profile import Profile, load_profile

# (file, sentences: N and Lead-N), the dev sets of the shared data (its README).
DEV_SETS = {
    "cnndm-dev": (DATA_DIR / "cnndm-dev.jsonl", 3),
    "bbc-dev": (DATA_DIR / "dev.jsonl", 3),
    "fr-orangesum-dev": (DATA_DIR / "fr-orangesum-dev.jsonl", 2),
}


def without_headline(article: fitting.Article) -> fitting.Article:
    """The article as a request without a title reaches the ranker (a memo of its own: what
    calibration keeps per article was computed with the headline)."""
    return replace(article, rank=replace(article.rank, title=None, title_confidence=1.0), _memo={})


def scored(articles: Sequence[fitting.Article], profile: Profile) -> dict[str, Any]:
    """Gain over Lead-N with its interval, and how often the selection is the first N sentences."""
    usable = [a for a in articles if a.sentences]
    picks = [fitting.selection(a, profile.score(a.rank), profile.weights) for a in usable]
    gains = np.array([fitting.rouge2(a, p) - fitting.lead3(a) for a, p in zip(usable, picks, strict=True)])
    lede = np.mean([list(p) == list(range(min(a.k, len(a.sentences)))) for a, p in zip(usable, picks, strict=True)])
    return {**fitting.summary(gains), "lede_share": round(float(lede), 3)}


def cell(score: dict[str, Any]) -> str:
    """A table cell of `scored`: the gain with its interval, and the lede's share."""
    low, high = score["ci95"]
    return f"{score['mean']:+.2f} [{low:+.2f}, {high:+.2f}], lede {score['lede_share']:.0%}"


def load_dev(name: str, model: str, limit: int | None, layers: Sequence[int] = ()) -> list[fitting.Article]:
    """A dev set as calibration reads it, with the inner encoder `layers` a profile reads (its
    final-layer vectors are the same with or without them)."""
    path, sentences = DEV_SETS[name]
    return fitting.load_articles(
        path,
        None,
        None,
        DEFAULT_CACHE,
        limit,
        "given",
        progress=False,
        k=sentences,
        model_name=model,
        encoder_layers=layers,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=EMBEDDERS, default=EMBEDDED, help="whose sentence vectors")
    parser.add_argument("--profiles", nargs="+", default=["default", "centrality"], help="names or files")
    parser.add_argument("--sets", nargs="+", choices=tuple(DEV_SETS), default=tuple(DEV_SETS))
    parser.add_argument("--limit", type=int, help="only the first N articles of each set")
    args = parser.parse_args(argv)

    profiles = [load_profile(spec) for spec in args.profiles]
    layered = {p.encoder_layers for p in profiles if p.encoder_layers}
    if len(layered) > 1:
        parser.error(f"the profiles read different encoder layers ({sorted(layered)}): score them apart")
    layers = next(iter(layered), ())
    print(f"ROUGE-2 F1 x 100 minus Lead-N, calibration's selection on {args.model}'s vectors")
    print(
        "| set | "
        + " | ".join(f"{p.name} ({Path(p.source).name if p.source else 'built in'})" for p in profiles)
        + " |"
    )
    print("| --- |" + " ---: |" * len(profiles))
    for name in args.sets:
        articles = load_dev(name, args.model, args.limit, layers)
        language = articles[0].language if articles else "en"
        shapes = {name: articles}
        if any(a.rank.title is not None for a in articles):
            shapes[f"{name}, no headline"] = [without_headline(a) for a in articles]
        for label, shape in shapes.items():
            cells = []
            for profile in profiles:
                if profile.language not in (None, language):
                    cells.append("(other language)")
                    continue
                cells.append(cell(scored(shape, profile)))
            print(f"| {label} ({len(shape)}) | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
