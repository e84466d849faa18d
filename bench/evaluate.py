"""Summary quality on articles with human summaries: ROUGE against Lead-3 and random.

    python -m bench.evaluate --data ../shared/data/dev.jsonl --model embedded [--limit N] [--out docs/quality]

Every article goes through the API's own code path (cleaning, splitting, engine, length
options). Systems are compared at equal length (three sentences each, like Lead-3) and
under the engine's own length policy. ROUGE-1/2/L F1 (rouge-score, stemming on), mean over
articles with a bootstrap 95% interval, and the paired difference to Lead-3 with its own
interval. Writes a Markdown table and a JSON file."""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

from bench.common import DEV_DATA, REPO_ROOT, machine
from service.config import Settings
from service.engines.base import Document, SummaryParams
from service.engines.registry import load_engine
from service.pipeline import PreparedRequest, checked_sentences, prepare, run_engine
from service.schemas import SummarizeRequest
from service.text.cleaning import clean_text, normalise
from service.text.sentences import split_sentences

METRICS = ("rouge1", "rouge2", "rougeL")
BOOTSTRAP_SAMPLES = 1000
EQUAL_LENGTH = 3


@dataclass
class SystemScores:
    name: str
    scores: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METRICS})
    words: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)  # summary sentences with unsupported content
    sentences: list[int] = field(default_factory=list)
    seconds: float = 0.0


def bootstrap_interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    means = rng.choice(values, size=(BOOTSTRAP_SAMPLES, len(values)), replace=True).mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def read_rows(path: Path, limit: int | None) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows[:limit] if limit else rows


def lead(prepared: PreparedRequest, k: int = EQUAL_LENGTH) -> list[str]:
    return [s.text for s in prepared.document.sentences[:k]]


def random_k(prepared: PreparedRequest, rng: random.Random, k: int = EQUAL_LENGTH) -> list[str]:
    sentences = prepared.document.sentences
    chosen = sorted(rng.sample(range(len(sentences)), min(k, len(sentences))))
    return [sentences[i].text for i in chosen]


def score_into(system: SystemScores, scorer: rouge_scorer.RougeScorer, reference: str, sentences: list[str]) -> None:
    summary = "\n".join(sentences)
    result = scorer.score(reference, summary)
    for metric in METRICS:
        system.scores[metric].append(100 * result[metric].fmeasure)
    system.words.append(len(summary.split()))
    system.sentences.append(len(sentences))


def evaluate(rows: list[dict[str, str]], model: str, settings: Settings) -> tuple[list[SystemScores], bool]:
    """Scores of the model (equal length, own policy), Lead-3 and Random-3; and whether it is abstractive."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    engine = load_engine(replace(settings, model=model))
    rng = random.Random(0)
    equal = SystemScores(f"{model} (3 sentences)")
    own = SystemScores(f"{model} (own length policy)")
    baselines = {"Lead-3": SystemScores("Lead-3"), "Random-3": SystemScores("Random-3")}
    for row in rows:
        for system, request in (
            (equal, SummarizeRequest(text=row["article"], max_sentences=EQUAL_LENGTH)),
            (own, SummarizeRequest(text=row["article"])),
        ):
            started = time.perf_counter()
            prepared = prepare(request)
            [result] = run_engine(engine, [prepared])
            checked = checked_sentences(prepared, result, engine)
            system.seconds += time.perf_counter() - started
            system.flagged.append(sum(1 for s in checked if s.unsupported))
            score_into(system, scorer, row["reference"], [s.text for s in checked])
        prepared = prepare(SummarizeRequest(text=row["article"]))
        score_into(baselines["Lead-3"], scorer, row["reference"], lead(prepared))
        score_into(baselines["Random-3"], scorer, row["reference"], random_k(prepared, rng))
    return [equal, own, *baselines.values()], engine.abstractive


BOILERPLATE_KINDS = ("caption", "link", "byline", "bio", "fragment")


def _contains_boilerplate(sentence: str, blocks: list[str]) -> bool:
    return any(block in sentence or sentence in block for block in blocks)


def cleaning_report(articles: list[str], engine) -> dict[str, int]:
    """Summary sentences (3 per article) holding caption, link, byline, bio or crosshead
    text, with the cleaning step and without it (text only normalised and split)."""
    counts = {"articles": len(articles), "sentences": 0, "with_boilerplate_before": 0, "with_boilerplate_after": 0}
    for raw in articles:
        cleaned = clean_text(raw)
        blocks = [block for kind, block in cleaned.dropped if kind in BOILERPLATE_KINDS]
        plain = normalise(raw)
        for key, document in (
            ("with_boilerplate_after", Document(cleaned.body, split_sentences(cleaned.body), cleaned.title)),
            ("with_boilerplate_before", Document(plain, split_sentences(plain))),
        ):
            [result] = engine.summarize([document], [SummaryParams(max_sentences=EQUAL_LENGTH)])
            counts[key] += sum(_contains_boilerplate(s.text, blocks) for s in result.sentences)
            if key == "with_boilerplate_after":
                counts["sentences"] += len(result.sentences)
    return counts


def summarise(systems: list[SystemScores], abstractive: bool) -> dict:
    rng = np.random.default_rng(0)
    lead3 = next(s for s in systems if s.name == "Lead-3")
    out = {}
    for system in systems:
        entry: dict = {"articles": len(system.words), "mean_words": float(np.mean(system.words)),
                       "mean_sentences": float(np.mean(system.sentences))}
        for metric in METRICS:
            values = np.array(system.scores[metric])
            entry[metric] = {"mean": float(values.mean()), "ci95": bootstrap_interval(values, rng)}
            diff = values - np.array(lead3.scores[metric])
            entry[metric]["minus_lead3"] = {"mean": float(diff.mean()), "ci95": bootstrap_interval(diff, rng)}
        if system.seconds:
            entry["seconds_per_article"] = system.seconds / len(system.words)
        if abstractive and system.seconds:
            entry["flagged_sentence_share"] = sum(system.flagged) / max(1, sum(system.sentences))
        out[system.name] = entry
    return out


def markdown(results: dict, title: str) -> str:
    lines = [f"### {title}", "",
             "| system | ROUGE-1 | ROUGE-2 | ROUGE-L | R-2 minus Lead-3 | words | s / article | flagged |",
             "| --- | --- | --- | --- | --- | ---: | ---: | ---: |"]
    for name, entry in results.items():
        cells = [f"{entry[m]['mean']:.2f} [{entry[m]['ci95'][0]:.2f}, {entry[m]['ci95'][1]:.2f}]" for m in METRICS]
        diff = entry["rouge2"]["minus_lead3"]
        delta = f"{diff['mean']:+.2f} [{diff['ci95'][0]:+.2f}, {diff['ci95'][1]:+.2f}]" if name != "Lead-3" else "—"
        seconds = f"{entry['seconds_per_article']:.3f}" if "seconds_per_article" in entry else "—"
        flagged = f"{100 * entry['flagged_sentence_share']:.0f}%" if "flagged_sentence_share" in entry else "—"
        lines.append(f"| {name} | {' | '.join(cells)} | {delta} | {entry['mean_words']:.0f} | {seconds} | {flagged} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEV_DATA, help="JSON Lines of {id, article, reference}")
    parser.add_argument("--model", default="embedded", help="a SUMMARIZER_MODEL value")
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--out", type=Path, help="write OUT.md and OUT.json")
    parser.add_argument("--cleaning", action="store_true",
                        help="also count boilerplate in summaries with and without cleaning (dev articles and seeds)")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    rows = read_rows(args.data, args.limit)
    systems, abstractive = evaluate(rows, args.model, settings)
    results = summarise(systems, abstractive)
    title = f"{args.model} on {args.data.name} ({len(rows)} articles)"
    table = markdown(results, title)
    if args.cleaning:
        seeds = [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "seeds").glob("*.txt"))]
        engine = load_engine(replace(settings, model="embedded"))
        report = cleaning_report([r["article"] for r in rows] + seeds, engine)
        results["cleaning"] = report
        table += (f"\nCleaning: of {report['sentences']} summary sentences over {report['articles']} articles "
                  f"(the dev articles and the seeds), {report['with_boilerplate_before']} held caption, link, byline, "
                  f"bio or crosshead text without the cleaning step and {report['with_boilerplate_after']} with it.\n")
    print(table)
    print(f"Machine: {machine()}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".md").write_text(table, encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps({"title": title, "machine": machine(), "results": results},
                                                            indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
