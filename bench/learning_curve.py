"""Calibration's learning curve: the context model fitted on the first N stories of an archive,
from the shipped default (calibrate's warm start) and from nothing, each scored on a dev set
in calibration's path (bench/profile_gains.py), with the fitting time of each point.

    python -m bench.learning_curve [--data ../shared/data/cnndm-train-large-cnn.jsonl.gz] \
        [--split paragraphs] [--sizes 250 1000 5000] [--dev cnndm-dev] [--from PROFILE] [--skip K]

The archive is read and labelled once, then every point is calibrate's own `fit` (what
`python -m service calibrate --limit N` serves after its cross-validation) on N stories from
the K-th on. Read the "from the default" row knowing what that default was fitted on (its
meta's "data"): a story it saw is no news to it, so `--skip` past them, or `--from` a profile
that never saw them, for the curve of a newsroom whose archive is new to the model."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import DATA_DIR, machine
from bench.profile_gains import DEV_SETS, cell, load_dev, scored
from service.calibration import calibrate as fitting
from service.calibration.archive import DEFAULT_CACHE, EMBEDDED, SPLITS
from service.ranker.profile import load_profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR / "cnndm-train-large-cnn.jsonl.gz")
    parser.add_argument("--split", choices=SPLITS, default="paragraphs")
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000, 5000])
    parser.add_argument("--dev", choices=tuple(DEV_SETS), default="cnndm-dev")
    parser.add_argument("--from", dest="start", default="default", help="the profile to warm-start from")
    parser.add_argument("--skip", type=int, default=0, help="leave out the archive's first K stories")
    args = parser.parse_args(argv)

    print(machine())
    layers = fitting.start_layers(args.start)
    dev = load_dev(args.dev, EMBEDDED, None, layers)
    default = fitting.served_default(EMBEDDED, dev[0].language)
    origin = default if args.start == "default" else load_profile(args.start)
    start = fitting.warm_start(args.start, dev[0].language, dev[0].lexical, encoder_layers=layers)
    limit = args.skip + max(args.sizes)
    read = fitting.load_articles(args.data, None, None, DEFAULT_CACHE, limit, args.split, encoder_layers=layers)[
        args.skip :
    ]
    print(f"{args.dev}: {origin.name} ({origin.source}) {cell(scored(dev, origin))}")
    print(f"  fitted on {origin.meta.get('data')}")
    print(f"| {args.data.name} from story {args.skip} | from {origin.name} | from nothing | {args.dev} ({len(dev)})")
    print("| ---: | ---: | ---: |")
    for size in sorted(args.sizes):
        cells = []
        for init in (start, None):
            started = time.perf_counter()
            profile = fitting.fit(read[:size], "context", start=init, weights=default.weights)
            cells.append(f"{cell(scored(dev, profile))} ({time.perf_counter() - started:.0f} s)")
        print(f"| {min(size, len(read))} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
