"""Choose the ranker by cross-publisher validation: fit on one publisher's train set, score
on the other publisher's dev set (both ways), and pick the built-in default to maximise the
WORSE of the two publishers' ROUGE-2 margins over Lead-3.

    python -m bench.tune_ranker [--bbc-stride 4] [--out docs/quality/ranker-tuning]

Two routes, both measured: (a) the weighted ranker (lead prior, lede bonus, centrality,
headline) over a grid (service.calibration.GRID); (b) a logistic-regression salience
model on the same features plus the sentence embedding, trained on greedy ROUGE-2 oracle
labels. Fitting uses only the train sets (bbc-train.jsonl, every `--bbc-stride`-th
article; cnndm-train.jsonl); every figure is on the dev sets (dev.jsonl: BBC,
cnndm-dev.jsonl: CNN), at three sentences, against Lead-3 on the same cleaned text,
with bootstrap 95% intervals. The shipped house profiles (`bbc`, `cnn`) are fitted by
`python -m service calibrate` since issue 26 (docs/QUALITY.md), no longer here."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from bench.common import DEV_SETS, TRAIN_SETS, machine
from bench.features import load
from service.calibration.calibrate import fit, gains, grid_points, grid_table, summary
from service.ranker.profile import Profile
from service.ranker.ranking import RankerWeights

BOOTSTRAP = 1000
OLD_DEFAULT = RankerWeights(position_decay=0.3, lede=0.0, centrality=2.0, title=0.3, backward=0.3)


def _row(label: str, fitted_on: str, profile: Profile, devs: dict) -> dict:
    """One table row: the profile's gain on each dev set."""
    return {
        "system": label,
        "fitted_on": fitted_on,
        "ranker": profile.ranker,
        "weights": asdict(profile.weights) if profile.salience is None else None,
        **{name: summary(gains(articles, profile)) for name, articles in devs.items()},
    }


def lower_bounds(table: np.ndarray, seed: int = 0) -> np.ndarray:
    """Per grid point: the lower end of the bootstrap 95% interval of its mean gain."""
    rng = np.random.default_rng(seed)
    resamples = rng.integers(0, table.shape[1], size=(BOOTSTRAP, table.shape[1]))
    return np.array([np.percentile(row[resamples].mean(axis=1), 2.5) for row in table])


def robust_choice(points: list[RankerWeights], tables: dict[str, np.ndarray]) -> int:
    """The grid point whose WORSE publisher margin is best, each margin taken at the lower
    end of its interval (a ranker that strays from the lead only where it pays is preferred
    to one that wins on average with more risk); ties go to the larger sum, then the larger
    lede bonus (the lede is kept)."""
    bounds = np.stack([np.round(lower_bounds(t), 2) for t in tables.values()])
    ledes = np.array([w.lede for w in points])
    return int(np.lexsort((ledes, bounds.sum(axis=0), bounds.min(axis=0)))[-1])


def weighted_route(trains: dict, devs: dict) -> list[dict]:
    points = grid_points()
    tables = {name: grid_table(articles, points) for name, articles in trains.items()}
    rows = []
    for name in trains:
        best = points[int(np.argmax(tables[name].mean(axis=1)))]
        rows.append(_row(f"(a) weighted, fitted on {name}", name, Profile(name, best), devs))
    worse = np.minimum(*(t.mean(axis=1) for t in tables.values()))
    rows.append(
        _row(
            "(a) weighted, max of the worse mean margin",
            "+".join(trains),
            Profile("max-min", points[int(np.argmax(worse))]),
            devs,
        )
    )
    rows.append(
        _row(
            "(a) weighted, max of the worse lower bound (the default)",
            "+".join(trains),
            Profile("robust", points[robust_choice(points, tables)]),
            devs,
        )
    )
    return rows


def salience_route(trains: dict, devs: dict) -> list[dict]:
    rows = []
    for name, articles in trains.items():
        rows.append(_row(f"(b) salience, fitted on {name}", name, fit(articles, "salience"), devs))
    pooled = [a for articles in trains.values() for a in articles]
    rows.append(_row("(b) salience, fitted on both", "+".join(trains), fit(pooled, "salience"), devs))
    return rows


def markdown(rows: list[dict], devs: dict) -> str:
    names = list(devs)
    lines = [
        "| ranker | fitted on | " + " | ".join(f"{n}: R-2 minus Lead-3 [95% CI]" for n in names) + " |",
        "| --- | --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for row in rows:
        cells = [f"{row[n]['mean']:+.2f} [{row[n]['ci95'][0]:+.2f}, {row[n]['ci95'][1]:+.2f}]" for n in names]
        lines.append(f"| {row['system']} | {row['fitted_on']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc-stride", type=int, default=4, help="every k-th bbc-train article (CPU time)")
    parser.add_argument("--out", type=Path, help="write OUT.md and OUT.json")
    parser.add_argument("--routes", nargs="+", default=["weighted", "salience"])
    args = parser.parse_args(argv)

    trains = {"bbc-train": load(TRAIN_SETS["bbc"], stride=args.bbc_stride), "cnn-train": load(TRAIN_SETS["cnn"])}
    devs = {"bbc-dev": load(DEV_SETS["bbc"]), "cnn-dev": load(DEV_SETS["cnn"])}
    rows = [
        _row("old default (BBC-tuned weights)", "dev.jsonl (in sample)", Profile("old", OLD_DEFAULT), devs),
        _row("built-in default (RankerWeights())", "bbc-train+cnn-train", Profile("default"), devs),
    ]
    if "weighted" in args.routes:
        rows += weighted_route(trains, devs)
    if "salience" in args.routes:
        rows += salience_route(trains, devs)
    table = markdown(rows, devs)
    print(table)
    for row in rows:
        if row["weights"]:
            print(
                row["system"],
                {k: row["weights"][k] for k in ("position_decay", "lede", "centrality", "title", "backward")},
            )
    print(f"Machine: {machine()}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".md").write_text(table, encoding="utf-8")
        sizes = {name: len(a) for name, a in {**trains, **devs}.items()}
        args.out.with_suffix(".json").write_text(
            json.dumps(
                {
                    "articles": sizes,
                    "machine": machine(),
                    "rows": rows,
                    "command": f"python -m bench.tune_ranker --bbc-stride {args.bbc_stride} --out {args.out}",
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
