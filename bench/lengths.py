"""Newsroom lengths on every BBC dev article: seo_description (≤155 characters), social
(≤280 weighted by X's count with room for a link) and key_points (3-5 bullets).

    python -m bench.lengths [--limit N] [--examples 10] [--json out.json]

Ranks each article as the embedded engine does (bench.ranked), fits each purpose
(service.editorial.fitting.fit_purpose) and reports how often whole sentences fitted,
how often one was compressed or cut, the lengths, and examples for an editor to judge."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bench.common import DEV_DATA, load_articles
from bench.ranked import load_embedder, rank_article
from service.editorial.fitting import Fitted, fit_purpose, rank_candidates
from service.text.sentences import Sentence
from service.text.x_length import x_weighted_length

# (label, purpose, top): the default looks for whole sentences among the 3 best-ranked;
# top=1 always starts from the best one, which shows the compression at work.
RUNS = (
    ("seo_description", "seo_description", 3),
    ("seo_description, best sentence only", "seo_description", 1),
    ("social", "social", 3),
    ("social, best sentence only", "social", 1),
    ("key_points", "key_points", 3),
)
LINK = "https://www.bbc.co.uk/news/"  # any URL weighs 23


def check(fitted: Fitted) -> list[str]:
    """The purpose's promises; a non-empty answer is a failure."""
    problems = []
    if not fitted.text.strip():
        problems.append("empty")
    if fitted.purpose == "seo_description" and fitted.characters > 155:
        problems.append(f"{fitted.characters} characters")
    if fitted.purpose == "social" and x_weighted_length(f"{fitted.text} {LINK}") > 280:
        problems.append(f"{x_weighted_length(fitted.text)} weighted + link")
    if fitted.purpose == "key_points" and not 1 <= len(fitted.pieces) <= 5:
        problems.append(f"{len(fitted.pieces)} bullets")
    return problems


def summarise(results: dict[str, list[Fitted]]) -> list[dict[str, object]]:
    rows = []
    for label, fitted in results.items():
        lengths = np.array([f.weighted_length if f.purpose == "social" else f.characters for f in fitted])
        rows.append({
            "purpose": label, "articles": len(fitted),
            "whole_sentences": sum(not f.compressed and not f.truncated for f in fitted),
            "compressed": sum(f.compressed and not f.truncated for f in fitted),
            "cut": sum(f.truncated for f in fitted), "empty": sum(not f.text.strip() for f in fitted),
            "over_budget": sum(bool(check(f)) for f in fitted),
            "mean_length": round(float(lengths.mean()), 1), "max_length": int(lengths.max()),
            "mean_items": round(float(np.mean([len(f.pieces) for f in fitted])), 2),
        })  # fmt: skip
    return rows


def _spread(items: list[int], count: int) -> list[int]:
    """`count` items evenly spaced over `items` (all of them if there are fewer)."""
    if count <= 0 or not items:
        return []
    return list(dict.fromkeys(items[round(k * (len(items) - 1) / max(1, count - 1))] for k in range(count)))


def examples(
    ids: list[str], sentences: list[list[Sentence]], fitted: list[Fitted], count: int
) -> list[dict[str, object]]:
    """Compressed (or cut) pieces first, spread over the set; whole ones if too few."""
    pieces = [(i, p) for i, f in enumerate(fitted) for p in f.pieces]
    shortened = [k for k, (_, p) in enumerate(pieces) if p.compressed or p.truncated]
    whole = [k for k, (_, p) in enumerate(pieces) if not (p.compressed or p.truncated)]
    picks = _spread(shortened, count) + _spread(whole, count - min(count, len(shortened)))
    out = []
    for k in picks:  # _spread gives distinct items, and the two lists never share one
        i, piece = pieces[k]
        out.append({
            "id": ids[i], "text": piece.text, "characters": len(piece.text),
            "weighted": x_weighted_length(piece.text), "compressed": piece.compressed, "cut": piece.truncated,
            "source_sentence": sentences[i][piece.index].text, "spans": piece.spans,
        })  # fmt: skip
    return out


def markdown(rows: list[dict[str, object]], samples: dict[str, list[dict[str, object]]]) -> str:
    lines = [
        "| purpose | articles | whole sentences | compressed | cut at a word (…) | empty | over budget | "
        "mean length | max length | mean items |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        n = r["articles"]
        lines.append(
            f"| {r['purpose']} | {n} | {r['whole_sentences']} ({r['whole_sentences'] / n:.0%}) | "
            f"{r['compressed']} ({r['compressed'] / n:.0%}) | {r['cut']} ({r['cut'] / n:.0%}) | {r['empty']} | "
            f"{r['over_budget']} | {r['mean_length']} | {r['max_length']} | {r['mean_items']} |"
        )
    for purpose, items in samples.items():
        lines += ["", f"**{purpose}** examples (source sentence → result):", ""]
        for item in items:
            mark = "cut" if item["cut"] else ("compressed" if item["compressed"] else "whole")
            lines.append(f"- `{item['id']}` ({mark}, {item['characters']} characters, {item['weighted']} weighted)  ")
            lines.append(f"  source: {item['source_sentence']}  ")
            lines.append(f"  result: **{item['text']}**")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    embedder = load_embedder()
    ids, sentences, results = [], [], {label: [] for label, _, _ in RUNS}
    for row in load_articles(DEV_DATA, args.limit):
        article = rank_article(embedder, row)
        candidates = rank_candidates(article.sentences, article.scores)
        ids.append(article.id)
        sentences.append(article.sentences)
        for label, purpose, top in RUNS:
            results[label].append(fit_purpose(candidates, purpose, top=top))
    rows = summarise(results)
    # The runs where compression is at work (with the default runs, whole sentences nearly always fit).
    shown = ("seo_description, best sentence only", "key_points")
    samples = {label: examples(ids, sentences, results[label], args.examples) for label in shown}
    print(markdown(rows, samples))
    if args.json:
        args.json.write_text(json.dumps({"summary": rows, "examples": samples}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
