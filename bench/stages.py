"""Where an article's time goes outside the model, per English dev set, and the floor every
tier pays (cleaning + sentence splitting; language detection, which decides their rules, is
shown beside it), one stage at a time as `summarizer.read_article` runs them, then the whole
use case per tier, in process on one thread, response cache off.

    python -m bench.stages [--count 300]

Each stage is timed alone over the same distinct articles (CPU ms per article, one thread).
Language detection is timed twice side by side: the service's windowed walk
(service/text/langid_walk.py) and py3langid's own byte-at-a-time walk on the same model, and
each tier's whole use case is run once with each (the order alternating from set to set), so
the cut shows as a ratio from one run."""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from py3langid.langid import LanguageIdentifier

from bench.common import DEV_SETS, load_articles, machine
from bench.tiers import TIERS
from service.config import Settings, configure_torch
from service.engines.registry import load_engine
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer
from service.text import language
from service.text.cleaning import CleanArticle, clean_text
from service.text.langid_walk import WindowedIdentifier, library_walk
from service.text.sentences import split_sentences


def _cpu_ms(work: Callable[[Any], object], inputs: Sequence[Any]) -> float:
    """CPU ms per input of `work` over all of them, after one warm-up call."""
    work(inputs[0])
    started = time.process_time()
    for item in inputs:
        work(item)
    return 1000 * (time.process_time() - started) / len(inputs)


@contextlib.contextmanager
def detecting_with(detector: LanguageIdentifier) -> Iterator[None]:
    """The service's detector swapped for `detector` while the block runs."""
    ours = language._get_detector()
    language._detector = detector
    try:
        yield
    finally:
        language._detector = ours


def _walks() -> dict[str, LanguageIdentifier]:
    windowed = language._get_detector()
    assert isinstance(windowed, WindowedIdentifier)
    return {"windowed walk": windowed, "py3langid's walk": library_walk(windowed)}


def stages(texts: list[str], walks: dict[str, LanguageIdentifier]) -> dict[str, float]:
    capped = [t[: language.MAX_DETECT_CHARS] for t in texts]
    codes = [language.reading_language(language.detect_language(t)) for t in texts]
    articles: list[CleanArticle] = [clean_text(t, language=c) for t, c in zip(texts, codes, strict=True)]
    return {
        **{f"language detection ({name})": _cpu_ms(walk.classify, capped) for name, walk in walks.items()},
        "cleaning": _cpu_ms(lambda i: clean_text(texts[i], language=codes[i]), range(len(texts))),
        "sentence splitting": _cpu_ms(lambda i: split_sentences(articles[i].body, codes[i]), range(len(texts))),
    }


def use_case(summarizer: Summarizer, texts: list[str]) -> float:
    """CPU ms per article of the whole use case, in batches of 16 as the server batches."""
    requests = [SummarizeRequest(text=t) for t in texts]
    batches = [requests[i : i + 16] for i in range(0, len(requests), 16)]
    return _cpu_ms(summarizer.summarize_many, batches) * len(batches) / len(requests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="distinct articles per dev set")
    args = parser.parse_args(argv)
    configure_torch(Settings(torch_threads=1), processes=1)
    sets = {name: [row["article"] for row in load_articles(path, args.count)] for name, path in DEV_SETS.items()}
    summarizers = {model: Summarizer(load_engine(Settings(model=model, cache_max_bytes=0))) for model in TIERS}

    print(f"Machine: {machine()}")
    print(f"CPU ms per article, one thread, response cache off, {args.count} distinct articles per set\n")
    walks = _walks()
    print("| stage | " + " | ".join(sets) + " |\n| --- |" + " ---: |" * len(sets))
    timed = {name: stages(texts, walks) for name, texts in sets.items()}
    for stage in timed[next(iter(sets))]:
        print(f"| {stage} | " + " | ".join(f"{timed[name][stage]:.2f}" for name in sets) + " |")
    floor = {name: t["cleaning"] + t["sentence splitting"] for name, t in timed.items()}
    read = {name: floor[name] + t["language detection (windowed walk)"] for name, t in timed.items()}
    print("| **the floor: cleaning + splitting** | " + " | ".join(f"**{floor[n]:.2f}**" for n in sets) + " |")
    print("| reading the article (the floor + detection) | " + " | ".join(f"{read[n]:.2f}" for n in sets) + " |")

    print("\n| tier, whole use case | detector | " + " | ".join(sets) + " |\n| --- | --- |" + " ---: |" * len(sets))
    for model, summarizer in summarizers.items():
        cost: dict[str, dict[str, float]] = {label: {} for label in reversed(walks)}
        # Interleaved per set, the order alternating, so that neither walk always runs warm.
        for turn, (name, texts) in enumerate(sets.items()):
            for label in list(walks)[:: 1 if turn % 2 else -1]:
                with detecting_with(walks[label]):
                    cost[label][name] = use_case(summarizer, texts)
        for label, per_set in cost.items():
            print(f"| {model} | {label} | " + " | ".join(f"{per_set[n]:.2f}" for n in sets) + " |")
        before, after = cost["py3langid's walk"], cost["windowed walk"]
        saved = " | ".join(f"{before[n] / after[n]:.3f}×" for n in sets)
        print(f"| {model} | **ratio** | {saved} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
