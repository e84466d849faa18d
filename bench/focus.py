"""Focused summaries: does a focus bring back the sentences about it?

    python -m bench.focus [--articles 100] [--json out.json]

For each article, the focus is a key noun phrase (a run of capitalised words: a name, a
place, an organisation) taken from one reference sentence and present in the article.
Three sentences are chosen with and without the focus (service.ranker.focus blend,
same redundancy rule) and we count how often they contain the phrase. A phrase from
another article of the same set, absent from this one, measures how often an unrelated
focus is correctly answered `focus_matched: false`.

The thresholds and the blend weight are chosen on train articles (bbc-train,
cnndm-train) and reported on dev articles (dev.jsonl, cnndm-dev.jsonl), `--articles`
of each publisher in both."""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.common import DEV_DATA, load_articles
from bench.ranked import RankedArticle, load_embedder, rank_article
from service.editorial.focus import lexical_overlap
from service.ranker.focus import FocusSettings, focus_scores, focus_similarity, focused_order
from service.text.sentences import split_sentences

DATA = DEV_DATA.parent
SETS = {
    "fit": (("BBC", DATA / "bbc-train.jsonl"), ("CNN", DATA / "cnndm-train.jsonl")),
    "report": (("BBC", DATA / "dev.jsonl"), ("CNN", DATA / "cnndm-dev.jsonl")),
}
SUMMARY_SENTENCES = 3
REDUNDANCY = 0.85  # as the engine's default ranker
_CAPITALISED = re.compile(r"[A-Z][\w'’&.-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w'’&.-]*){0,3}")
# Capitalised words that are no key noun phrase on their own.
_NOT_KEY = {
    "The", "A", "An", "He", "She", "It", "They", "We", "I", "You", "His", "Her", "Its", "Their", "Our", "But", "And",
    "Or", "In", "On", "At", "As", "For", "From", "With", "By", "To", "Of", "If", "When", "While", "After", "Before",
    "This", "That", "These", "Those", "There", "Here", "Mr", "Mrs", "Ms", "Dr", "Sir", "Lord", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December", "CNN", "BBC", "UK", "US", "Yet", "So", "Now",
    "Also", "However", "Meanwhile", "Last", "Next", "One", "Two", "Three", "Neither", "Both", "Either", "Women",
    "Men", "Police", "Officials", "Transcript", "American", "Australian", "British", "German", "French", "European",
    "African", "Korean", "Chinese", "Japanese", "Irish", "English", "Scottish", "Welsh", "Spanish", "Italian",
    "Russian", "Indian", "Mexican",
}  # fmt: skip
_POSSESSIVE = re.compile(r"['’]s\b")


def key_phrases(sentence: str) -> list[str]:
    """Runs of capitalised words, leading function words dropped, possessives stripped."""
    phrases = []
    runs = [part for m in _CAPITALISED.finditer(sentence) for part in _POSSESSIVE.split(m.group())]
    for run in runs:
        words = run.split()
        while words and (words[0] in _NOT_KEY or words[0].islower()):
            words.pop(0)
        phrase = " ".join(words).rstrip(".")
        if phrase and phrase not in _NOT_KEY and len(phrase) >= 3:
            phrases.append(phrase)
    return list(dict.fromkeys(phrases))


def reference_sentences(reference: str) -> list[str]:
    return [s.text for line in reference.splitlines() for s in split_sentences(line)]


def pick_focus(article: RankedArticle) -> str | None:
    """A key noun phrase of one reference sentence (chosen at random, seeded by the id)
    that the article contains and its headline does not."""
    rng = random.Random(article.id)
    sentences = reference_sentences(article.reference)
    rng.shuffle(sentences)
    for sentence in sentences:
        phrases = [
            p for p in key_phrases(sentence) if p in article.body and (not article.title or p not in article.title)
        ]
        if phrases:
            return rng.choice(phrases)
    return None


@dataclass
class Case:
    """One article with its own focus and an unrelated one, embedded once."""

    publisher: str
    article: RankedArticle
    focus: str
    own: np.ndarray  # the focus phrase's embedding
    foreign_focus: str
    foreign: np.ndarray
    own_lexical: np.ndarray  # lexical_overlap of each sentence with the focus
    foreign_lexical: np.ndarray

    def contains(self) -> np.ndarray:
        needle = self.focus.casefold()
        return np.array([needle in s.text.casefold() for s in self.article.sentences])


def choose(order: list[int], embeddings: np.ndarray, k: int = SUMMARY_SENTENCES) -> list[int]:
    chosen: list[int] = []
    for i in order:
        if len(chosen) == k:
            break
        if chosen and float(np.max(embeddings[chosen] @ embeddings[i])) > REDUNDANCY:
            continue
        chosen.append(i)
    return chosen


def load_cases(embedder, sets: tuple[tuple[str, Path], ...], limit: int) -> list[Case]:
    cases: list[Case] = []
    for publisher, path in sets:
        articles = [rank_article(embedder, row) for row in load_articles(path, limit)]
        focuses = [pick_focus(a) for a in articles]
        for i, (article, focus) in enumerate(zip(articles, focuses, strict=True)):
            if focus is None or not article.sentences:
                continue
            # Another article's focus, absent from this one: an unrelated request.
            others = [focuses[(i + len(articles) // 2 + j) % len(articles)] for j in range(len(articles))]
            foreign = next(f for f in others if f and f.casefold() not in article.body.casefold())
            own, other = embedder.embed([focus, foreign])
            texts = [s.text for s in article.sentences]
            cases.append(
                Case(publisher, article, focus, own, foreign, other, lexical_overlap(texts, focus),
                     lexical_overlap(texts, foreign))
            )  # fmt: skip
    return cases


def evaluate(cases: list[Case], settings: FocusSettings) -> dict[str, float]:
    """Hit rates of focused and unfocused three-sentence summaries; matching rates."""
    returned = hits = unfocused_hits = unfocused_returned = articles_hit = unfocused_articles_hit = 0
    matched = rejected = 0
    recall = []
    for case in cases:
        contains = case.contains()
        a = case.article
        blended, ok = focus_scores(a.embeddings, case.own, a.scores, settings, case.own_lexical)
        matched += ok
        picked = choose(focused_order(blended), a.embeddings) if ok else []
        plain = choose([int(i) for i in np.argsort(-a.scores, kind="stable")], a.embeddings)
        returned, hits = returned + len(picked), hits + int(contains[picked].sum())
        unfocused_returned, unfocused_hits = (
            unfocused_returned + len(plain),
            unfocused_hits + int(contains[plain].sum()),
        )
        articles_hit += bool(contains[picked].any())
        unfocused_articles_hit += bool(contains[plain].any())
        recall.append(contains[picked].sum() / min(SUMMARY_SENTENCES, max(1, contains.sum())))
        rejected += not focus_scores(a.embeddings, case.foreign, a.scores, settings, case.foreign_lexical)[1]
    n = len(cases)
    precision = hits / max(1, returned)
    mean_recall = float(np.mean(recall))
    return {
        "articles": n,
        "focused_sentence_hit": round(precision, 4),
        "unfocused_sentence_hit": round(unfocused_hits / max(1, unfocused_returned), 4),
        "focused_article_hit": round(articles_hit / n, 4),
        "unfocused_article_hit": round(unfocused_articles_hit / n, 4),
        "focused_sentences_per_summary": round(returned / n, 2),
        "recall_of_phrase_sentences": round(mean_recall, 4),
        "f1": round(2 * precision * mean_recall / max(1e-9, precision + mean_recall), 4),
        "own_focus_matched": round(matched / n, 4),
        "unrelated_focus_rejected": round(rejected / n, 4),
    }


def _match_threshold(cases: list[Case], settings: FocusSettings) -> float:
    """The threshold that best separates own from unrelated focuses (balanced accuracy)."""
    own = np.array([focus_similarity(c.article.embeddings, c.own, c.own_lexical, settings).max() for c in cases])
    foreign = np.array(
        [focus_similarity(c.article.embeddings, c.foreign, c.foreign_lexical, settings).max() for c in cases]
    )
    grid = np.round(np.arange(0.15, 0.8, 0.01), 2)
    return float(max(grid, key=lambda t: (own >= t).mean() + (foreign < t).mean()))


def fit(cases: list[Case], lexical_weights: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3)) -> FocusSettings:
    """Per lexical weight, the match threshold by balanced accuracy; then the sentence
    thresholds and relevance weight with the best F1 of phrase hits."""
    best, best_f1 = FocusSettings(), -1.0
    for lexical in lexical_weights:
        base = replace(FocusSettings(), lexical_weight=lexical)
        base = replace(base, match_threshold=_match_threshold(cases, base))
        for sentence, relative, weight in itertools.product(
            np.arange(0.1, 0.55, 0.05), (0.0, 0.5, 0.6, 0.7, 0.8, 0.9), (0.5, 0.7, 0.85, 1.0)
        ):
            settings = replace(base, sentence_threshold=round(float(sentence), 2), relative_threshold=relative,
                               relevance_weight=weight)  # fmt: skip
            f1 = evaluate(cases, settings)["f1"]
            if f1 > best_f1:
                best, best_f1 = settings, f1
    return best


def table(rows: dict[str, dict[str, float]]) -> str:
    lines = [
        "| set | articles | focused: sentences with the phrase | unfocused | focused: summaries with it | unfocused "
        "| sentences per focused summary | own focus matched | unrelated focus rejected |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['articles']} | {r['focused_sentence_hit']:.1%} | {r['unfocused_sentence_hit']:.1%} | "
            f"{r['focused_article_hit']:.1%} | {r['unfocused_article_hit']:.1%} | "
            f"{r['focused_sentences_per_summary']} | {r['own_focus_matched']:.1%} | "
            f"{r['unrelated_focus_rejected']:.1%} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100, help="per publisher, in each of fit and report")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    embedder = load_embedder()
    fit_cases = load_cases(embedder, SETS["fit"], args.articles)
    settings = fit(fit_cases)
    dense = fit(fit_cases, (0.0,))
    report_cases = load_cases(embedder, SETS["report"], args.articles)
    rows = {"fit (train), all": evaluate(fit_cases, settings)}
    for publisher in ("BBC", "CNN"):
        rows[f"dev {publisher}"] = evaluate([c for c in report_cases if c.publisher == publisher], settings)
    rows["dev, all"] = evaluate(report_cases, settings)
    rows["dev, all, embeddings only (no word overlap), fitted alike"] = evaluate(report_cases, dense)
    rows["dev, all, module defaults"] = evaluate(report_cases, FocusSettings())
    print(f"fitted: {settings}\nfitted, embeddings only: {dense}")
    print(table(rows))
    examples = [(c.article.id, c.focus, c.foreign_focus) for c in report_cases[:: max(1, len(report_cases) // 10)]]
    print("\nfocus examples (id, own, unrelated):", examples)
    if args.json:
        args.json.write_text(
            json.dumps({"settings": vars(settings), "dense": vars(dense), "rows": rows, "examples": examples}, indent=2)
        )


if __name__ == "__main__":
    main()
