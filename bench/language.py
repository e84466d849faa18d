"""Language detection on real text: every English dev article (BBC and CNN) and the
multilingual news paragraphs in tests/data/languages/.

    python -m bench.language [--json out.json]

Prints the accuracy per set, the confidence spread, every miss, and the whole-article
and per-sentence results for the test paragraphs (English ones quote foreign phrases)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bench.common import DEV_DATA, REPO_ROOT, load_articles
from service.text.language import detect_language
from service.text.sentences import split_sentences

CNN_DATA = DEV_DATA.parent / "cnndm-dev.jsonl"
TEXTS = REPO_ROOT / "tests" / "data" / "languages"


def expected_code(path: Path) -> str:
    """File names start with the language code: de.txt, en-quotes-fr-ga.txt."""
    return path.stem.split("-")[0]


def english_set(name: str, path: Path) -> dict[str, object]:
    rows = load_articles(path)
    guesses = [detect_language(row["article"]) for row in rows]
    confidences = np.array([g.confidence for g in guesses])
    misses = [(row["id"], g.code, g.confidence) for row, g in zip(rows, guesses, strict=True) if g.code != "en"]
    return {
        "set": name, "articles": len(rows), "correct": len(rows) - len(misses),
        "accuracy": round(1 - len(misses) / len(rows), 4),
        "min_confidence": round(float(confidences.min()), 4),
        "p01_confidence": round(float(np.percentile(confidences, 1)), 4), "misses": misses,
    }  # fmt: skip


def test_texts() -> list[dict[str, object]]:
    out = []
    for path in sorted(TEXTS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        guess = detect_language(text)
        # Per sentence too: how the same detector fares on a line alone, quotes included.
        per_sentence = [detect_language(s.text).code for s in split_sentences(text)]
        out.append({
            "file": path.name, "expected": expected_code(path), "detected": guess.code,
            "confidence": guess.confidence, "words": len(text.split()),
            "sentences_matching": f"{sum(c == expected_code(path) for c in per_sentence)}/{len(per_sentence)}",
        })  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {"english": [], "texts": test_texts()}
    for name, path in (("BBC dev.jsonl", DEV_DATA), ("CNN cnndm-dev.jsonl", CNN_DATA)):
        if path.is_file():
            results["english"].append(english_set(name, path))
    print("| set | articles | detected English | accuracy | lowest confidence | 1st percentile |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in results["english"]:
        print(
            f"| {row['set']} | {row['articles']} | {row['correct']} | {row['accuracy']:.2%} | "
            f"{row['min_confidence']} | {row['p01_confidence']} |"
        )
        for miss in row["misses"]:
            print(f"  miss: {miss}")
    print("\n| file | words | expected | detected | confidence | sentences alone detected as expected |")
    print("| --- | ---: | --- | --- | ---: | ---: |")
    for row in results["texts"]:
        print(
            f"| {row['file']} | {row['words']} | {row['expected']} | {row['detected']} | {row['confidence']} | "
            f"{row['sentences_matching']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
