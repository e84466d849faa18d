"""Summary quality per publisher and language: ROUGE against Lead-N and random, one table per data set.

    python -m bench.evaluate --data ../shared/data/dev.jsonl ../shared/data/cnndm-dev.jsonl \
        --model embedded [--profile cnn] [--limit N] [--sentences 3] [--out docs/quality/embedded]

Every article goes through the service's own use case (service.summarizer.Summarizer:
cleaning, splitting, engine, length options). Systems are compared at equal length
(`--sentences` N each, 3 unless told, against Lead-N), at Lead-N's word count (`max_words`
= the words of that article's Lead-N), at the references' typical length (`max_words` =
the set's median reference words) and under the engine's own length policy. Lead-1/2/3,
Lead at the references' typical length and Random-N take the same cleaned text the service
summarises. ROUGE-1/2/L/Lsum F1, mean over articles with a bootstrap 95% interval, and the
paired difference to Lead-N with its own interval. Each article's language is its data
line's "language" field, else the detector's (service.text.language); English is scored
with rouge-score's tokenizer and stemming (every English figure stays comparable), any
other language on Unicode words (service/calibration/rouge.py). An article the service refuses scores
0 for that system: refusals are counted and shown, never dropped. Writes a Markdown table
and a JSON file per data set.

    python -m bench.evaluate --shapes [SHAPE ...] --data ... [--systems three lead-words] [--out docs/quality/shapes]

sends every article in each shape of bench/shapes.py (all of them when none is named) and
compares each shape with the one-paragraph form: the share of articles whose selected
sentences are the same, ROUGE-2 minus the one-paragraph form's and minus Lead-N (paired
bootstrap intervals), refusals, and summaries that hold planted boilerplate. Lead-N there is
the first N sentences of the one-paragraph form as the service reads it, one baseline
for every shape."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench import shapes as shaping
from bench.common import DEV_SETS, REPO_ROOT, article_source, machine, prepare_row
from service.calibration import rouge
from service.config import Settings
from service.domain.length import fit_in_order
from service.domain.summary import SummaryParams
from service.engines.registry import load_engine
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer, read_article
from service.text.cleaning import clean_text, normalise
from service.text.language import detect_language
from service.text.sentences import split_sentences

METRICS = ("rouge1", "rouge2", "rougeL")
# ROUGE-Lsum too (summary sentences one a line): the figure the data README and the
# summarisation papers report; not a table column, to keep the tables as they were.
SCORED = (*METRICS, "rougeLsum")
BOOTSTRAP_SAMPLES = 1000
EQUAL_LENGTH = 3  # sentences each, unless --sentences says otherwise
LEADS = (1, 2, 3)  # the lead baselines every table shows
# "three" is the equal-length system's first name: N = --sentences, 3 unless told.
SYSTEMS = ("three", "lead-words", "reference-words", "own")
DEFAULT_SYSTEMS = ("three", "lead-words", "own")
CHUNK = 16  # articles per summarize_many call


@dataclass
class SystemScores:
    name: str
    scores: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in SCORED})
    words: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)  # summary sentences with unsupported content
    sentences: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # ids of articles the service refused
    seconds: float = 0.0


def bootstrap_interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    means = rng.choice(values, size=(BOOTSTRAP_SAMPLES, len(values)), replace=True).mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def read_rows(path: Path, limit: int | None, headline: bool = True) -> list[dict[str, str]]:
    """The data lines; `headline` False drops an article's first line where a blank line
    follows it (BBC's headline line), so a set is also scored as copy without a headline."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    rows = rows[:limit] if limit else rows
    return rows if headline else [without_headline(row) for row in rows]


def without_headline(row: dict[str, str]) -> dict[str, str]:
    kind, text = article_source(row)
    first, blank, rest = text.partition("\n\n")
    if kind != "text" or not blank or "\n" in first.strip():
        return row
    return {**{k: v for k, v in row.items() if k not in ("text", "article")}, "text": rest}


def row_language(row: dict[str, Any]) -> str:
    """The data line's "language" (ISO 639-1), else the detector's reading of its article."""
    return str(row.get("language") or detect_language(article_source(row)[1]).code)


class Scorers:
    """rouge-score's scorer per language (service/calibration/rouge.py), built once each."""

    def __init__(self) -> None:
        self._by_language: dict[str, Any] = {}

    def __call__(self, language: str) -> Any:
        if language not in self._by_language:
            self._by_language[language] = rouge.scorer(language, SCORED)
        return self._by_language[language]


def languages_of(languages: list[str]) -> dict[str, Any]:
    """The set's languages and how each is tokenised, for the report."""
    counts = Counter(languages)
    return {
        "languages": dict(counts.most_common()),
        "rouge_tokens": {code: rouge.describe(code) for code in counts},
    }


def reference_words(rows: list[dict[str, Any]]) -> int:
    """The references' typical length: their median word count."""
    return max(1, round(statistics.median(len(str(r["reference"]).split()) for r in rows)))


def score_into(system: SystemScores, scorer: Any, reference: str, sentences: list[str]) -> None:
    summary = "\n".join(sentences)
    result = scorer.score(reference, summary)
    for metric in SCORED:
        system.scores[metric].append(100 * result[metric].fmeasure)
    system.words.append(len(summary.split()))
    system.sentences.append(len(sentences))


def request_for(row: dict[str, Any], **options: Any) -> SummarizeRequest:
    kind, raw = article_source(row)
    return SummarizeRequest(**{kind: raw}, title=row.get("title"), **options)


def summarise_rows(summarizer: Summarizer, requests: list[SummarizeRequest], system: SystemScores) -> list[dict | None]:
    """Response bodies in order; None where the service refused the article."""
    bodies: list[dict | None] = []
    for begin in range(0, len(requests), CHUNK):
        started = time.perf_counter()
        outcomes = summarizer.summarize_many(requests[begin : begin + CHUNK])
        system.seconds += time.perf_counter() - started
        bodies.extend(map(shaping.body_of, outcomes))
    return bodies


def lead_name(sentences: int) -> str:
    return f"Lead-{sentences}"


def evaluate(
    rows: list[dict[str, str]],
    summarizer: Summarizer,
    label: str,
    systems: tuple[str, ...] = DEFAULT_SYSTEMS,
    sentences: int = EQUAL_LENGTH,
    request_options: dict[str, Any] | None = None,
    languages: list[str] | None = None,
) -> list[SystemScores]:
    """Scores of the model (N sentences, Lead-N's words, the references' typical words, own
    policy), Lead-1/2/3 (and Lead-N), Lead at the references' typical words, and Random-N.
    `request_options` go into every request (e.g. {"language": "force"}); `languages` per
    row, else read from the rows (row_language)."""
    scorers = Scorers()
    languages = languages or [row_language(row) for row in rows]
    rng = random.Random(0)
    typical = reference_words(rows)
    lead_sizes = sorted({*LEADS, sentences})
    leads = {k: SystemScores(lead_name(k)) for k in lead_sizes}
    lead_typical = SystemScores(f"Lead at the references' median {typical} words")
    random_n = SystemScores(f"Random-{sentences}")
    lead_texts: list[list[str]] = []
    for row, language in zip(rows, languages, strict=True):
        scorer = scorers(language)
        _, split = prepare_row(row)  # the same cleaned text the service summarises
        texts = [s.text for s in split]
        lead_texts.append(texts[:sentences])
        for k, system in leads.items():
            score_into(system, scorer, row["reference"], texts[:k])
        score_into(lead_typical, scorer, row["reference"], fit_in_order(texts, SummaryParams(max_words=typical)))
        chosen = sorted(rng.sample(range(len(texts)), min(sentences, len(texts))))
        score_into(random_n, scorer, row["reference"], [texts[i] for i in chosen])
    options = {
        "three": (f"{label} ({sentences} sentences)", lambda i: {"max_sentences": sentences}),
        "lead-words": (
            f"{label} ({lead_name(sentences)}'s words)",
            lambda i: {"max_words": max(5, len(" ".join(lead_texts[i]).split()))},
        ),
        "reference-words": (f"{label} ({typical} words)", lambda i: {"max_words": typical}),
        "own": (f"{label} (own length policy)", lambda i: {}),
    }
    out = []
    for key in systems:
        name, option = options[key]
        system = SystemScores(name)
        requests = [request_for(row, **option(i), **(request_options or {})) for i, row in enumerate(rows)]
        bodies = summarise_rows(summarizer, requests, system)
        for row, language, body in zip(rows, languages, bodies, strict=True):
            if body is None:
                system.refused.append(str(row.get("id")))
                score_into(system, scorers(language), row["reference"], [])
                continue
            system.flagged.append(sum(1 for s in body["sentences"] if s.get("unsupported")))
            score_into(system, scorers(language), row["reference"], [s["text"] for s in body["sentences"]])
        out.append(system)
    return [*out, *leads.values(), lead_typical, random_n]


BOILERPLATE_KINDS = ("caption", "link", "byline", "bio", "fragment")


def _contains_boilerplate(sentence: str, blocks: list[str]) -> bool:
    return any(block in sentence or sentence in block for block in blocks)


def cleaning_report(articles: list[str], summarizer: Summarizer) -> dict[str, int]:
    """Summary sentences (3 per article) holding caption, link, byline, bio or crosshead
    text, with the cleaning step and without it (text only normalised and split)."""
    from service.domain.summary import Document, SummaryParams

    engine = summarizer.engine
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


def summarise(systems: list[SystemScores], abstractive: bool, baseline: str = lead_name(EQUAL_LENGTH)) -> dict:
    """Per system: means with bootstrap intervals, and paired differences to `baseline`
    (Lead-N) under the key "minus_lead<N>"."""
    rng = np.random.default_rng(0)
    lead = next(s for s in systems if s.name == baseline)
    minus = "minus_" + baseline.lower().replace("-", "")
    out = {}
    for system in systems:
        entry: dict = {
            "articles": len(system.words),
            "mean_words": float(np.mean(system.words)),
            "mean_sentences": float(np.mean(system.sentences)),
            "refused": len(system.refused),
        }
        if system.refused:
            entry["refused_ids"] = system.refused
        for metric in SCORED:
            values = np.array(system.scores[metric])
            entry[metric] = {"mean": float(values.mean()), "ci95": bootstrap_interval(values, rng)}
            diff = values - np.array(lead.scores[metric])
            entry[metric][minus] = {"mean": float(diff.mean()), "ci95": bootstrap_interval(diff, rng)}
        if system.seconds:
            entry["seconds_per_article"] = system.seconds / len(system.words)
        if abstractive and system.seconds:
            entry["flagged_sentence_share"] = sum(system.flagged) / max(1, sum(system.sentences))
        out[system.name] = entry
    return out


def markdown(results: dict, title: str, baseline: str = lead_name(EQUAL_LENGTH)) -> str:
    minus = "minus_" + baseline.lower().replace("-", "")
    lines = [
        f"### {title}",
        "",
        f"| system | ROUGE-1 | ROUGE-2 | ROUGE-L | R-2 minus {baseline} | words | refused | s / article | flagged |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, entry in results.items():
        cells = [f"{entry[m]['mean']:.2f} [{entry[m]['ci95'][0]:.2f}, {entry[m]['ci95'][1]:.2f}]" for m in METRICS]
        diff = entry["rouge2"][minus]
        delta = f"{diff['mean']:+.2f} [{diff['ci95'][0]:+.2f}, {diff['ci95'][1]:+.2f}]" if name != baseline else "—"
        seconds = f"{entry['seconds_per_article']:.3f}" if "seconds_per_article" in entry else "—"
        flagged = f"{100 * entry['flagged_sentence_share']:.0f}%" if "flagged_sentence_share" in entry else "—"
        lines.append(
            f"| {name} | {' | '.join(cells)} | {delta} | {entry['mean_words']:.0f} | {entry['refused']} | "
            f"{seconds} | {flagged} |"
        )
    return "\n".join(lines) + "\n"


# --- shapes: the same article in every shape copy arrives in ----------------------------
SHAPE_EXAMPLES = 5  # divergent articles kept per shape, for the notes


def _paired(values: np.ndarray, baseline: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    diff = values - baseline
    return {"mean": float(diff.mean()), "ci95": bootstrap_interval(diff, rng)}


def _title(body: dict | None) -> str | None:
    """The title the service found, with its source ("html: Headline")."""
    return None if body is None else f"{body['input'].get('title_source')}: {body['input'].get('title')}"


def _shape_entry(
    shape: shaping.Shape,
    articles: list[shaping.Article],
    bodies: list[dict | None],
    baseline_bodies: list[dict | None],
    scores: SystemScores,
) -> dict[str, Any]:
    """Identical selections, refusals, leaks, titles and divergent examples of one shape."""
    selections = [shaping.selection(b) for b in bodies]
    baseline = [shaping.selection(b) for b in baseline_bodies]
    same = [s is not None and s == b for s, b in zip(selections, baseline, strict=True)]
    leaks = {a.id: found for a, b in zip(articles, bodies, strict=True) if (found := shaping.leaked(shape, a, b))}
    found = [b["input"] for b in bodies if b is not None]
    sources = Counter(str(i.get("title_source")) for i in found)
    titles = Counter(str(i.get("title")) for i in found)
    examples = [
        {
            "id": a.id,
            "title": _title(b),
            "one_paragraph_title": _title(base),
            "removed": (b or {}).get("input", {}).get("removed"),
            "one_paragraph": list(shaping.selection(base) or []),
            "shape": list(sel or []),
        }
        for a, b, sel, base, ok in zip(articles, bodies, selections, baseline_bodies, same, strict=True)
        if not ok
    ][:SHAPE_EXAMPLES]
    return {
        "label": shape.label,
        "articles": len(articles),
        "identical": sum(same),
        "identical_share": sum(same) / max(1, len(articles)),
        "refused": len(scores.refused),
        "refused_ids": scores.refused,
        "leaked_articles": len(leaks),
        "leaks": leaks,
        "mean_words": float(np.mean(scores.words)),
        "title_sources": dict(sources.most_common()),
        "common_titles": dict(titles.most_common(5)),
        "divergent": examples,
    }


def evaluate_shapes(
    rows: list[dict[str, str]],
    summarizer: Summarizer,
    shape_names: list[str],
    systems: tuple[str, ...] = ("three",),
    sentences: int = EQUAL_LENGTH,
    request_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Per length option and shape: the entry of `_shape_entry`, with ROUGE-2 and its paired
    differences to the one-paragraph form and to Lead-N (N = `sentences`; the result's
    "lead3" key holds Lead-N, with "sentences": N)."""
    scorers = Scorers()
    languages = [row_language(row) for row in rows]
    typical = reference_words(rows)
    articles = [shaping.article_from_row(row) for row in rows]
    baseline_shape = shaping.SHAPES[shaping.BASELINE]
    lead = SystemScores(lead_name(sentences))
    leads: list[list[str]] = []
    for article, language in zip(articles, languages, strict=True):
        _, split = read_article(shaping.request_for(baseline_shape, article))
        leads.append([s.text for s in split[:sentences]])
        score_into(lead, scorers(language), article.reference, leads[-1])
    extra = request_options or {}
    options = {
        "three": lambda i: {"max_sentences": sentences, **extra},
        "lead-words": lambda i: {"max_words": max(5, len(" ".join(leads[i]).split())), **extra},
        "reference-words": lambda i: {"max_words": typical, **extra},
        "own": lambda i: {**extra},
    }
    names = [shaping.BASELINE, *(n for n in shape_names if n != shaping.BASELINE)]
    bodies = _shaped_bodies(
        summarizer, articles, names, {k: [options[k](i) for i in range(len(articles))] for k in systems}
    )
    lead_r2 = np.array(lead.scores["rouge2"])
    out: dict[str, Any] = {
        "articles": len(articles),
        **languages_of(languages),
        "lead3": {"rouge2": float(lead_r2.mean()), "mean_words": float(np.mean(lead.words)), "sentences": sentences},
    }
    for key in systems:
        per_shape: dict[str, Any] = {}
        baseline_r2 = lead_r2
        for name in names:
            scores = SystemScores(name)
            for article, language, body in zip(articles, languages, bodies[key, name], strict=True):
                if body is None:
                    scores.refused.append(article.id)
                score_into(scores, scorers(language), article.reference, list(shaping.selection(body) or ()))
            r2 = np.array(scores.scores["rouge2"])
            if name == shaping.BASELINE:
                baseline_r2 = r2
            rng = np.random.default_rng(0)
            entry = _shape_entry(
                shaping.SHAPES[name], articles, bodies[key, name], bodies[key, shaping.BASELINE], scores
            )
            entry["rouge2"] = {
                "mean": float(r2.mean()),
                "ci95": bootstrap_interval(r2, rng),
                "minus_one_paragraph": _paired(r2, baseline_r2, rng),
                "minus_lead3": _paired(r2, lead_r2, rng),
            }
            per_shape[name] = entry
        out[key] = per_shape
    return out


def _shaped_bodies(
    summarizer: Summarizer, articles: list[shaping.Article], names: list[str], options: dict[str, list[dict]]
) -> dict[tuple[str, str], list[dict | None]]:
    """Response bodies per (length option, shape), a chunk of articles in every shape at a
    time, so that identical engine inputs meet while the embedding memo holds them."""
    bodies: dict[tuple[str, str], list[dict | None]] = {(k, n): [] for k in options for n in names}
    started = time.perf_counter()
    with shaping.embeddings_reused(summarizer.engine) as memo:
        for begin in range(0, len(articles), CHUNK):
            chunk = slice(begin, begin + CHUNK)
            for (key, name), done in bodies.items():
                done.extend(
                    shaping.summarise_shape(
                        summarizer, shaping.SHAPES[name], articles[chunk], options[key][chunk], chunk=CHUNK
                    )
                )
            memo.clear()
            same = {
                n: sum(
                    shaping.selection(a) == shaping.selection(b)
                    for a, b in zip(bodies[k, n], bodies[k, shaping.BASELINE], strict=True)
                )
                for k, n in bodies
                if n != shaping.BASELINE
            }
            print(
                f"  {min(begin + CHUNK, len(articles))}/{len(articles)} articles, "
                f"{time.perf_counter() - started:.0f} s; identical: {same}",
                flush=True,
            )
    return bodies


def shapes_markdown(results: dict[str, Any], title: str) -> str:
    lead = lead_name(results["lead3"].get("sentences", EQUAL_LENGTH))
    lengths = {
        "three": f"{results['lead3'].get('sentences', EQUAL_LENGTH)} sentences",
        "lead-words": f"{lead}'s word count",
        "reference-words": "the references' median word count",
        "own": "own length policy",
    }
    lines = [f"### {title}", ""]
    for key, per_shape in results.items():
        if key not in lengths:
            continue
        lines += [
            f"At {lengths[key]} ({lead}: R-2 {results['lead3']['rouge2']:.2f}, "
            f"{results['lead3']['mean_words']:.0f} words):",
            "",
            f"| shape | identical selections | R-2 | minus one paragraph | minus {lead} | refused | "
            "boilerplate in summaries | words |",
            "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: |",
        ]
        for entry in per_shape.values():
            r2 = entry["rouge2"]
            base, over_lead = r2["minus_one_paragraph"], r2["minus_lead3"]
            label = entry["label"].replace("|", "\\|")  # a pipe inside a cell ends the cell
            lines.append(
                f"| {label} | {100 * entry['identical_share']:.1f}% | {r2['mean']:.2f} | "
                f"{base['mean']:+.2f} [{base['ci95'][0]:+.2f}, {base['ci95'][1]:+.2f}] | "
                f"{over_lead['mean']:+.2f} [{over_lead['ci95'][0]:+.2f}, {over_lead['ci95'][1]:+.2f}] | "
                f"{entry['refused']} | "
                f"{entry['leaked_articles']} | {entry['mean_words']:.0f} |"
            )
        lines.append("")
    return "\n".join(lines)


def run_shapes(args: argparse.Namespace, summarizer: Summarizer, label: str) -> None:
    names = args.shapes or list(shaping.SHAPES)
    systems = tuple(args.systems or ("three",))
    for path in args.data:
        rows = read_rows(path, args.limit, headline=not args.no_headline)
        print(f"{label} on {path.name} ({len(rows)} articles), shapes:", flush=True)
        results = evaluate_shapes(rows, summarizer, names, systems, args.sentences, request_options(args))
        title = f"{label} on {path.name} ({len(rows)} articles), each article in every shape"
        table = shapes_markdown(results, title)
        print(table, flush=True)
        if args.out:
            _write(
                args.out,
                path,
                table,
                {
                    "title": title,
                    "data": path.name,
                    "machine": machine(),
                    "baseline": shaping.BASELINE,
                    "results": results,
                },
            )


def _write(out: Path, data: Path, table: str, document: dict[str, Any]) -> None:
    out = out.with_name(f"{out.name}-{data.stem}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(table, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def request_options(args: argparse.Namespace) -> dict[str, Any]:
    """Options every request carries beyond the length: the language mode, when told."""
    return {"language": args.language} if args.language else {}


def load_summarizer(model: str, profile: str | None) -> Summarizer:
    return Summarizer(load_engine(Settings(model=model, ranker_profile=profile or "")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        nargs="+",
        default=list(DEV_SETS.values()),
        help="JSON Lines of {id, article|text|html, reference}: one table each",
    )
    parser.add_argument("--model", default="embedded", help="a SUMMARIZER_MODEL value")
    parser.add_argument("--profile", help="RANKER_PROFILE for the extractive model (a file or a shipped name)")
    parser.add_argument("--limit", type=int, help="only the first N articles of each file")
    parser.add_argument(
        "--no-headline",
        action="store_true",
        help="drop each article's headline line (a first line followed by a blank one) before sending it",
    )
    parser.add_argument(
        "--systems",
        nargs="*",
        choices=SYSTEMS,
        help=f"default: {', '.join(DEFAULT_SYSTEMS)} ('three': --sentences each; none named: the baselines "
        "alone); with --shapes, three",
    )
    parser.add_argument(
        "--sentences",
        type=int,
        default=EQUAL_LENGTH,
        help="equal length in sentences, against Lead-N (default 3; 2 for one- or two-sentence standfirsts)",
    )
    parser.add_argument(
        "--language",
        choices=("auto", "force"),
        help="the requests' `language` option (the service's default, auto, unless told)",
    )
    parser.add_argument("--out", type=Path, help="write OUT-<data>.md and OUT-<data>.json")
    parser.add_argument(
        "--cleaning",
        action="store_true",
        help="also count boilerplate in summaries with and without cleaning (the articles and seeds)",
    )
    parser.add_argument(
        "--shapes",
        nargs="*",
        choices=list(shaping.SHAPES),
        help="compare these shapes of bench/shapes.py (all when none is named) with one paragraph",
    )
    args = parser.parse_args(argv)

    summarizer = load_summarizer(args.model, args.profile)
    label = args.model + (f" [{summarizer.engine.info.settings.get('profile')}]" if args.profile else "")
    if args.shapes is not None:
        run_shapes(args, summarizer, label)
        print(f"Machine: {machine()}")
        return 0
    baseline = lead_name(args.sentences)
    for path in args.data:
        rows = read_rows(path, args.limit, headline=not args.no_headline)
        languages = [row_language(row) for row in rows]
        systems = evaluate(
            rows,
            summarizer,
            label,
            tuple(DEFAULT_SYSTEMS if args.systems is None else args.systems),
            args.sentences,
            request_options(args),
            languages,
        )
        results = summarise(systems, summarizer.engine.abstractive, baseline)
        title = f"{label} on {path.name}{' without headlines' if args.no_headline else ''} ({len(rows)} articles)"
        table = markdown(results, title, baseline)
        found = languages_of(languages)
        results["data"] = {"sentences": args.sentences, "reference_words": reference_words(rows), **found}
        table += "\nLanguages: " + ", ".join(
            f"{code} {n} (ROUGE tokens: {found['rouge_tokens'][code]})" for code, n in found["languages"].items()
        )
        table += f"; ROUGE-Lsum (JSON) beside ROUGE-L. Requests: {request_options(args) or 'service defaults'}.\n"
        if args.cleaning:
            seeds = [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "seeds").glob("*.txt"))]
            report = cleaning_report([article_source(r)[1] for r in rows] + seeds, summarizer)
            results["cleaning"] = report
            table += (
                f"\nCleaning: of {report['sentences']} summary sentences over {report['articles']} articles "
                f"(these and the seeds), {report['with_boilerplate_before']} held caption, link, byline, "
                f"bio or crosshead text without the cleaning step and {report['with_boilerplate_after']} "
                "with it.\n"
            )
        print(table, flush=True)
        if args.out:
            _write(args.out, path, table, {"title": title, "data": path.name, "machine": machine(), "results": results})
    print(f"Machine: {machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
