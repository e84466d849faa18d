"""Calibrate the extractive ranker to a newsroom's house style: fit its weights (or a small
salience model) to articles with the summaries the newsroom wrote, and write a profile.

    python -m service calibrate --data our-articles.jsonl --out profiles/ours.json [--ranker weighted|salience]
    make calibrate DATA=our-articles.jsonl OUT=profiles/ours.json

Input: JSON Lines of {"id", "text" | "html", "reference"} ("article" also accepted for text).
Every article is cleaned and split as the service does it and embedded by the served
encoder once; fitting only re-ranks. The profile holds the weights, the data's size and
sha256, and the gain over Lead-3 (ROUGE-2 at three sentences, same cleaned text)
measured by k-fold cross-validation on the data, with a bootstrap 95% interval: the
figure to expect on more articles like these. Load it with RANKER_PROFILE=FILE.

Fitting needs the evaluation tools of requirements-dev.txt (rouge-score); serving a
profile needs numpy only."""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from service.config import Settings
from service.engines.profile import Profile, save_profile
from service.engines.ranking import RankerWeights, minmax, pacsum_centrality
from service.engines.salience import SalienceModel, fit_logistic, salience_features

SUMMARY_SENTENCES = 3
BOOTSTRAP_SAMPLES = 1000
# The weighted ranker's search space: the position weight is fixed at 1, the rest relative.
GRID: dict[str, list[float]] = {
    "position_decay": [0.3, 0.6, 1.0, 2.0, 4.0],
    "lede": [0.0, 0.25, 0.5, 1.0, 10.0],
    "centrality": [0.0, 0.1, 0.2, 0.4, 0.8, 1.5, 3.0],
    "title": [0.0, 0.1, 0.2, 0.4, 0.8],
    "backward": [-0.3, 0.0, 0.3],
}
# L2 strength of the salience model on standardised features: strong, so that ~400
# features fitted on a few hundred articles stay close to what travels across publishers.
SALIENCE_L2 = 100.0


# --- articles with their references, ready for fitting -----------------------------------


@dataclass
class Article:
    id: str
    sentences: list[str]
    words: np.ndarray  # words per sentence
    embeddings: np.ndarray  # (n, d), L2-normalised, as the engine embeds them
    title: np.ndarray | None  # headline embedding
    reference: str
    tokens: list[list[str]] = field(default_factory=list)  # rouge-score tokens per sentence
    ref_bigrams: Counter = field(default_factory=Counter)
    _memo: dict = field(default_factory=dict, repr=False)
    _centrality: dict = field(default_factory=dict, repr=False)

    def similarity(self) -> np.ndarray:
        if "similarity" not in self._memo:
            self._memo["similarity"] = self.embeddings @ self.embeddings.T
        return self._memo["similarity"]

    def centrality(self, backward: float, edge_threshold: float) -> np.ndarray:
        key = (backward, edge_threshold)
        if key not in self._centrality:
            self._centrality[key] = minmax(pacsum_centrality(self.similarity(), backward, edge_threshold))
        return self._centrality[key]


_TOKENIZER: list = []


def tokenize(text: str) -> list[str]:
    """rouge-score's own tokens (lower case, stemmed), so scores equal rouge-score's."""
    if not _TOKENIZER:
        try:
            from rouge_score import rouge_scorer
        except ImportError as exc:  # pragma: no cover - a production image without dev tools
            raise SystemExit("calibrate needs rouge-score: pip install -r requirements-dev.txt") from exc
        _TOKENIZER.append(rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)._tokenizer)
    return _TOKENIZER[0].tokenize(text)


def _bigrams(tokens: list[str]) -> Counter:
    return Counter(zip(tokens, tokens[1:], strict=False))


def rouge2(article: Article, chosen: Sequence[int]) -> float:
    """ROUGE-2 F1 × 100 of these sentences (joined in article order) against the reference:
    rouge-score's figure, from tokens computed once per sentence."""
    key = tuple(sorted(chosen))
    if key in article._memo:
        return article._memo[key]
    tokens = [t for i in key for t in article.tokens[i]]
    candidate = _bigrams(tokens)
    overlap = sum((candidate & article.ref_bigrams).values())
    score = 0.0
    if overlap:
        precision = overlap / sum(candidate.values())
        recall = overlap / sum(article.ref_bigrams.values())
        score = 100 * 2 * precision * recall / (precision + recall)
    article._memo[key] = score
    return score


def lead3(article: Article) -> float:
    return rouge2(article, range(min(SUMMARY_SENTENCES, len(article.sentences))))


def oracle(article: Article, k: int = SUMMARY_SENTENCES) -> list[int]:
    """Greedy ROUGE-2 oracle: add the sentence that raises ROUGE-2 most, up to k, while it rises."""
    chosen: list[int] = []
    best = 0.0
    for _ in range(k):
        gains = [(rouge2(article, [*chosen, i]), -i) for i in range(len(article.sentences)) if i not in chosen]
        if not gains:
            break
        score, pick = max(gains)
        if score <= best:
            break
        chosen.append(-pick)
        best = score
    return sorted(chosen)


def make_article(
    id_: str, sentences: list[str], embeddings: np.ndarray, title: np.ndarray | None, reference: str
) -> Article:
    article = Article(id_, sentences, np.array([len(s.split()) for s in sentences]), embeddings, title, reference)
    article.tokens = [tokenize(s) for s in sentences]
    article.ref_bigrams = _bigrams(tokenize(reference))
    return article


def article_input(row: dict[str, Any]) -> tuple[list[str], str | None]:
    """Sentences and headline of a data line, cleaned and split as the service does it."""
    from service.text.cleaning import clean_text
    from service.text.html import extract_html
    from service.text.sentences import split_sentences

    title = row.get("title")
    if row.get("html"):
        page_title, raw = extract_html(row["html"])
        title = title or page_title
    else:
        raw = row.get("text") or row.get("article") or ""
    article = clean_text(raw, title=title)
    return [s.text for s in split_sentences(article.body)], article.title


# --- choosing sentences --------------------------------------------------------------------


def pick(article: Article, scores: np.ndarray, weights: RankerWeights) -> tuple[int, ...]:
    """The engine's selection at three sentences (ranking.select_sentences), on indices."""
    n = len(scores)
    order = sorted(range(n), key=lambda i: (bool(article.words[i] < weights.min_words), -scores[i]))
    similarity = article.similarity()
    chosen: list[int] = []
    for i in order:
        if len(chosen) == SUMMARY_SENTENCES:
            break
        if chosen and float(np.max(similarity[chosen, i])) > weights.redundancy:
            continue
        chosen.append(i)
    return tuple(sorted(chosen))


def weighted_scores(article: Article, weights: RankerWeights) -> np.ndarray:
    """ranking.score_sentences, from the article's cached centrality."""
    n = len(article.sentences)
    scores = weights.position / (1.0 + np.arange(n)) ** weights.position_decay
    scores = scores + weights.centrality * article.centrality(weights.backward, weights.edge_threshold)
    if n:
        scores[0] += weights.lede
    if article.title is not None and n > 1:
        scores = scores + weights.title * minmax(article.embeddings @ article.title)
    return scores


def gains(articles: Sequence[Article], scorer: Callable[[Article], np.ndarray], weights: RankerWeights) -> np.ndarray:
    """Per article: ROUGE-2 of the ranker's three sentences minus Lead-3's."""
    return np.array([rouge2(a, pick(a, scorer(a), weights)) - lead3(a) for a in articles if a.sentences])


def grid_points() -> list[RankerWeights]:
    combinations = itertools.product(*GRID.values())
    return [replace(RankerWeights(), **dict(zip(GRID, values, strict=True))) for values in combinations]


def grid_table(articles: Sequence[Article], points: Sequence[RankerWeights]) -> np.ndarray:
    """(points, articles) gains over Lead-3 for every grid point.

    All points are scored at once per article (a matrix product) and only the distinct
    picks are scored with ROUGE: the same result as `gains` for each point, much faster."""
    if not points:
        return np.zeros((0, len(articles)))
    base = points[0]
    decays = sorted({w.position_decay for w in points})
    backwards = sorted({w.backward for w in points})
    decay_of = np.array([decays.index(w.position_decay) for w in points])
    backward_of = np.array([backwards.index(w.backward) for w in points])
    position, lede, centrality_weight, title_weight = (
        np.array([getattr(w, name) for w in points])[:, None] for name in ("position", "lede", "centrality", "title"))
    table = np.zeros((len(points), len(articles)))
    for column, article in enumerate(articles):
        n = len(article.sentences)
        if n == 0:
            continue
        priors = 1.0 / (1.0 + np.arange(n))[None, :] ** np.array(decays)[:, None]
        centrality = np.stack([article.centrality(b, base.edge_threshold) for b in backwards])
        title = minmax(article.embeddings @ article.title) if article.title is not None and n > 1 else np.zeros(n)
        scores = position * priors[decay_of] + centrality_weight * centrality[backward_of] + title_weight * title
        scores[:, :1] += lede
        scores[:, article.words < base.min_words] -= 1e6  # short sentences only fill in last
        top = np.sort(np.argsort(-scores, axis=1, kind="stable")[:, :SUMMARY_SENTENCES], axis=1)
        redundant = article.similarity() > base.redundancy
        clash = np.zeros(len(points), dtype=bool)  # a near-duplicate among the top three
        for a, b in itertools.combinations(range(top.shape[1]), 2):
            clash |= redundant[top[:, a], top[:, b]]
        unique, inverse = np.unique(top[~clash], axis=0, return_inverse=True)
        values = np.array([rouge2(article, tuple(row)) for row in unique]) - lead3(article)
        table[~clash, column] = values[inverse.ravel()]
        for row in np.flatnonzero(clash):
            chosen = pick(article, scores[row] + 1e6 * (article.words < base.min_words), base)
            table[row, column] = rouge2(article, chosen) - lead3(article)
    return table


# --- the salience model --------------------------------------------------------------------


def training_matrix(articles: Sequence[Article]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for article in articles:
        if len(article.sentences) < 2:
            continue
        labels = np.zeros(len(article.sentences))
        labels[oracle(article)] = 1.0
        xs.append(salience_features(article.embeddings, article.title, article.words))
        ys.append(labels)
    return np.vstack(xs), np.concatenate(ys)


def salience_gains(articles: Sequence[Article], model: SalienceModel) -> np.ndarray:
    return gains(articles, lambda a: model.score(a.embeddings, a.title, a.words), RankerWeights())


# --- figures -------------------------------------------------------------------------------


def interval(values: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """Bootstrap 95% interval of the mean."""
    rng = np.random.default_rng(seed)
    means = rng.choice(values, size=(BOOTSTRAP_SAMPLES, len(values)), replace=True).mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summary(values: np.ndarray) -> dict[str, Any]:
    low, high = interval(values)
    return {"mean": round(float(values.mean()), 3), "ci95": [round(low, 3), round(high, 3)], "articles": len(values)}


def fit(articles: Sequence[Article], ranker: str, table: np.ndarray | None = None) -> Profile:
    """The best profile for these articles: the grid point with the highest mean gain over
    Lead-3, or the salience model fitted to their oracle labels."""
    if ranker == "weighted":
        points = grid_points()
        table = grid_table(articles, points) if table is None else table
        return Profile("calibrated", points[int(np.argmax(table.mean(axis=1)))])
    x, y = training_matrix(articles)
    return Profile("calibrated", RankerWeights(), fit_logistic(x, y, l2=SALIENCE_L2), meta={"l2": SALIENCE_L2})


def cross_validate(articles: Sequence[Article], ranker: str, folds: int) -> np.ndarray:
    """Held-out gains over Lead-3: each fold scored by the profile fitted on the others."""
    fold_of = np.arange(len(articles)) % folds
    held_out = np.zeros(len(articles))
    table = grid_table(articles, grid_points()) if ranker == "weighted" else None
    for fold in range(folds):
        test = fold_of == fold
        if table is not None:
            held_out[test] = table[int(np.argmax(table[:, ~test].mean(axis=1))), test]
        else:
            train = [a for a, t in zip(articles, test, strict=True) if not t]
            model = fit(train, ranker).salience
            held_out[test] = salience_gains([a for a, t in zip(articles, test, strict=True) if t], model)
    return held_out


# --- the command ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True,
                        help='JSON Lines of {"id", "text" | "html", "reference"}: your articles and summaries')
    parser.add_argument("--out", type=Path, required=True, help="the profile file to write (JSON)")
    parser.add_argument("--name", help="the profile's name (default: the output file's stem)")
    parser.add_argument("--ranker", choices=("weighted", "salience"), default="weighted",
                        help="fit the ranker's weights (default) or a salience model")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds for the reported gain")
    parser.add_argument("--limit", type=int, help="only the first N articles")


def read_rows(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not isinstance(row, dict) or not row.get("reference") or not (
                row.get("text") or row.get("html") or row.get("article")
            ):
                raise ValueError(f"{path}:{number}: need {{'id', 'text' or 'html', 'reference'}}")
            rows.append(row)
    return rows[:limit] if limit else rows


def embed_rows(rows: Sequence[dict[str, Any]], embedder) -> list[Article]:
    """Each article embedded in one call of its own, exactly as the engine does it."""
    articles = []
    for number, row in enumerate(rows):
        sentences, title = article_input(row)
        embedded = embedder.embed(sentences + ([title] if title else []))
        articles.append(make_article(str(row.get("id", number)), sentences, embedded[: len(sentences)],
                                     embedded[-1] if title else None, row["reference"]))
    return articles


def served_embedder(settings: Settings | None = None):
    """The embedded model's encoder at its served precision (QUANTIZE, MODEL_STORE as the server reads them)."""
    from models.store import resolve
    from service.engines.extractive import SentenceEmbedder
    from service.engines.quantize import effective_precision

    settings = settings or Settings()
    model = resolve("embedded", settings.model_store)
    return SentenceEmbedder(model.path, effective_precision(settings.quantize, model.quantize))


def calibrate(articles: Sequence[Article], ranker: str, folds: int, name: str, data: dict[str, Any]) -> Profile:
    usable = [a for a in articles if a.sentences]
    profile = fit(usable, ranker)
    held_out = cross_validate(usable, ranker, folds)
    evaluation = {
        "metric": "ROUGE-2 F1 x 100 at 3 sentences minus Lead-3 on the same cleaned text",
        "cross_validated": {"folds": folds, "rouge2_minus_lead3": summary(held_out)},
        "lead3_rouge2": round(float(np.mean([lead3(a) for a in usable])), 3),
    }
    meta = {**profile.meta, "data": data, "evaluation": evaluation}
    return Profile(name, profile.weights, profile.salience, meta=meta)


def run(args: argparse.Namespace) -> int:
    try:
        rows = read_rows(args.data, args.limit)
    except (OSError, ValueError) as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 2
    if len(rows) < 2 * args.folds:
        print(f"calibrate: {len(rows)} articles; need at least {2 * args.folds} for {args.folds}-fold "
              "cross-validation (a few hundred give a useful interval)", file=sys.stderr)
        return 2
    data = {"path": str(args.data), "articles": len(rows),
            "sha256": hashlib.sha256(args.data.read_bytes()).hexdigest()}
    articles = embed_rows(rows, served_embedder())
    profile = calibrate(articles, args.ranker, args.folds, args.name or args.out.stem, data)
    command = f"python -m service calibrate --data {args.data} --out {args.out} --ranker {args.ranker}"
    profile = replace(profile, meta={**profile.meta, "command": command})
    save_profile(profile, args.out)
    gain = profile.meta["evaluation"]["cross_validated"]["rouge2_minus_lead3"]
    print(f"{args.out}: {profile.ranker} ranker fitted on {len(rows)} articles; cross-validated ROUGE-2 minus "
          f"Lead-3 {gain['mean']:+.2f} [{gain['ci95'][0]:+.2f}, {gain['ci95'][1]:+.2f}]")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
