"""A newsroom's archive for calibration: article/summary pairs read from JSON Lines,
prepared as the service prepares a request, and embedded by the served encoder with an
on-disk cache, so that thousands of articles are embedded once.

Lines (`.jsonl` or `.jsonl.gz`): {"id", "text" | "html", "reference"} ("article" is read as
text, "title" is optional), or {"id", "sentences", "reference"} for an archive already split
into sentences (kept as given unless `split="service"` joins and re-splits them; such a line
may name its "language", else it is detected).

The cache holds one file per chunk of articles under CACHE/<encoder>/<data sha256>/, named by
the hash of the texts it embeds: an interrupted run resumes at the first missing chunk, two
runs can fill one cache side by side, and a change to cleaning or splitting re-embeds only
the chunks it changed. Each article's sentences are embedded in one encoder call of their own
and its headline in another, as the engine does (service.ranker.ranking.embed_article: int8
quantises activations with one scale per call).

The data's language picks the embedder, as serving does per article (`encoder_for`): the
embedding model for a language it declares, lexical vectors (service/ranker/lexical.py)
for any other; lexical vectors take milliseconds and are not cached."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.prepare import sha256_of
from service.ranker.ranking import TextEmbedder, embed_article

CHUNK_ARTICLES = 100
# From this many rows, prepare() reads them on every core.
PARALLEL_ROWS = 2000
# The encoder key of lexical vectors (service/ranker/lexical.py): computed per article, never cached.
LEXICAL = "lexical"
DEFAULT_CACHE = Path.home() / ".cache" / "precis" / "embeddings"
# The embedded models whose vectors a profile can be fitted on: MiniLM, and the fast tier's
# static vectors distilled from it (models/manifest.json).
EMBEDDED = "embedded"
EMBEDDERS = (EMBEDDED, "embedded-fast")


@dataclass
class Pair:
    """One archive article, prepared: what the ranker reads, and the newsroom's summary."""

    id: str
    sentences: list[str]
    title: str | None
    title_confidence: float
    reference: str
    language: str = "en"  # what it was read as (service.text.language.reading_language)

    def embedded_by(self, embedder: TextEmbedder) -> np.ndarray:
        """The embedder's rows for the sentences, then the headline, as the engine embeds them."""
        return embed_article(embedder, self.sentences, self.title)


def open_lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from handle


def read_rows(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The data lines, checked: each needs a reference and an article (text, html, article or sentences)."""
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(open_lines(path), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if (
            not isinstance(row, dict)
            or not row.get("reference")
            or not (row.get("text") or row.get("html") or row.get("article") or row.get("sentences"))
        ):
            raise ValueError(f"{path}:{number}: need {{'id', 'text' | 'html' | 'sentences', 'reference'}}")
        rows.append(row)
        if limit and len(rows) == limit:
            break
    return rows


# A wire dateline opening a lower-cased story: "washington (cnn) --", "london, england (reuters) --".
_LOWER_DATELINE = re.compile(
    r"^(?P<head>(?:[a-z][\w.'’-]*(?:,? +[a-z][\w.'’-]*){0,5},? *)?\([a-z][\w.&'’ -]{0,40}?\) *--) *"
)
SPLITS = ("given", "paragraphs", "service")


def recased_paragraphs(sentences: Sequence[str]) -> str:
    """Pre-split, lower-cased sentences as the text the service reads: one a paragraph (the
    read step splits inside a paragraph, never across one), its first character in capitals and a
    wire dateline in capitals, so that the read step's capital-reading rules (the dateline
    cut above all) treat the archive as they treat the cased copy the service is sent."""
    paragraphs = [s[:1].upper() + s[1:] for s in (str(s).strip() for s in sentences) if s]
    if paragraphs and (found := _LOWER_DATELINE.match(paragraphs[0].lower())):
        rest = paragraphs[0][found.end() :]
        paragraphs[0] = found.group("head").upper() + " " + rest[:1].upper() + rest[1:]
    return "\n\n".join(paragraphs)


def prepare(rows: Sequence[dict[str, Any]], split: str = "given", workers: int | None = None) -> list[Pair]:
    """Each row as the service reads it (service.summarizer.read_article, the one read step).
    Pre-split `sentences` are kept as given (split="given"), read one a paragraph with their
    capitals restored where the read step needs them (split="paragraphs", for lower-cased
    archives), or joined and re-split (split="service").
    Rows that leave no sentence are skipped: the service would refuse them.
    `workers` processes share the rows in order (default: every core for a large archive,
    whose reading is a third of a 20,000-story calibration on one core)."""
    if workers is None:
        from service.config import available_cores

        workers = available_cores() if len(rows) >= PARALLEL_ROWS else 1
    if workers <= 1:
        return _prepare_serially(rows, split)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(rows) // workers)
    numbered = [dict(row, id=str(row.get("id", number))) for number, row in enumerate(rows)]  # ids as one run gives
    slices = [numbered[begin : begin + size] for begin in range(0, len(rows), size)]
    # spawn: a forked copy of a parent that has run torch's thread pool can hang in it
    with ProcessPoolExecutor(len(slices), mp_context=multiprocessing.get_context("spawn")) as pool:
        return [pair for part in pool.map(_prepare_serially, slices, [split] * len(slices)) for pair in part]


def _prepare_serially(rows: Sequence[dict[str, Any]], split: str) -> list[Pair]:
    from service.schemas import SummarizeRequest
    from service.summarizer import read_article
    from service.text.language import detect_language, reading_language

    pairs = []
    for number, row in enumerate(rows):
        id_ = str(row.get("id", number))
        if row.get("sentences") and split == "given":
            given = [str(s) for s in row["sentences"]]
            language = row.get("language") or reading_language(detect_language(" ".join(given)))
            pairs.append(Pair(id_, given, row.get("title"), 1.0, row["reference"], language))
            continue
        if row.get("html"):
            request = SummarizeRequest(html=row["html"], title=row.get("title"))
        else:
            given = row.get("sentences") or []
            joined = recased_paragraphs(given) if split == "paragraphs" else " ".join(given)
            text = row.get("text") or row.get("article") or joined
            request = SummarizeRequest(text=text, title=row.get("title"))
        read = read_article(request)
        article, sentences = read.article, read.sentences
        if sentences:
            confidence = article.title_confidence
            texts = [s.text for s in sentences]
            pairs.append(Pair(id_, texts, article.title, confidence, row["reference"], read.reading))
    return pairs


def data_language(pairs: Sequence[Pair]) -> str:
    """The language most of the pairs were read in (English for none)."""
    counts = Counter(p.language for p in pairs)
    return counts.most_common(1)[0][0] if counts else "en"


def _texts_key(pairs: Sequence[Pair]) -> str:
    # A titled article's entry names its headline apart: its chunks were embedded with the
    # headline in the sentences' call before, and must not be read back.
    entries = [{"sentences": p.sentences, "title": p.title} if p.title else p.sentences for p in pairs]
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:16]


class EmbeddingCache:
    """Article embeddings of one data file by one encoder, kept in chunk files."""

    def __init__(self, root: Path, encoder_key: str, data_sha256: str) -> None:
        self.folder = root / encoder_key / data_sha256[:16]

    def _path(self, start: int, pairs: Sequence[Pair]) -> Path:
        return self.folder / f"chunk-{start:07d}-{_texts_key(pairs)}.npz"

    def embed(self, pairs: Sequence[Pair], embedder: TextEmbedder, progress: bool = True) -> list[np.ndarray]:
        """One (texts, d) array per pair, from the cache or embedded now (and saved)."""
        from tqdm import tqdm

        self.folder.mkdir(parents=True, exist_ok=True)
        starts = range(0, len(pairs), CHUNK_ARTICLES)
        out: list[np.ndarray] = []
        bar = tqdm(total=len(pairs), desc="embedding", unit="article", disable=not progress, smoothing=0.05)
        for start in starts:
            chunk = pairs[start : start + CHUNK_ARTICLES]
            path = self._path(start, chunk)
            if path.is_file():
                out.extend(_load_chunk(path))
                bar.update(len(chunk))
                continue
            arrays = []
            for pair in chunk:
                arrays.append(pair.embedded_by(embedder))
                bar.update(1)
            _save_chunk(path, arrays)
            out.extend(arrays)
        bar.close()
        return out

    def cached(self, pairs: Sequence[Pair]) -> tuple[list[Pair], list[np.ndarray]]:
        """Only the pairs whose chunk is embedded already, with their embeddings: for fitting
        on a large archive while its fill is still running."""
        kept: list[Pair] = []
        arrays: list[np.ndarray] = []
        for start in range(0, len(pairs), CHUNK_ARTICLES):
            chunk = pairs[start : start + CHUNK_ARTICLES]
            if (path := self._path(start, chunk)).is_file():
                kept.extend(chunk)
                arrays.extend(_load_chunk(path))
        return kept, arrays

    def fill(self, pairs: Sequence[Pair], embedder: TextEmbedder, reverse: bool = False) -> int:
        """Embed the chunks no other run has taken (a lock file each): for filling a cache
        with several processes. Returns the number of chunks this run embedded."""
        from tqdm import tqdm

        self.folder.mkdir(parents=True, exist_ok=True)
        starts = list(range(0, len(pairs), CHUNK_ARTICLES))
        done = 0
        for start in tqdm(starts[::-1] if reverse else starts, desc="chunks", unit="chunk", smoothing=0.05):
            chunk = pairs[start : start + CHUNK_ARTICLES]
            path = self._path(start, chunk)
            lock = path.with_suffix(".lock")
            if path.is_file() or not _take(lock):
                continue
            try:
                _save_chunk(path, [p.embedded_by(embedder) for p in chunk])
                done += 1
            finally:
                lock.unlink(missing_ok=True)
        return done


def _take(lock: Path) -> bool:
    """Claim a chunk; a lock left by a run that died (its process gone) is taken over."""
    try:
        with lock.open("x") as handle:
            handle.write(str(os.getpid()))
        return True
    except FileExistsError:
        try:
            os.kill(int(lock.read_text() or 0), 0)
            return False  # another run is on it
        except (ProcessLookupError, ValueError):
            lock.unlink(missing_ok=True)
            return _take(lock)
        except (PermissionError, FileNotFoundError):
            return False


def _save_chunk(path: Path, arrays: Sequence[np.ndarray]) -> None:
    offsets = np.cumsum([0, *(len(a) for a in arrays)])
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        np.savez(handle, embeddings=np.concatenate(arrays).astype(np.float32), offsets=offsets)
    tmp.replace(path)  # atomic: a chunk file is whole or absent


def _load_chunk(path: Path) -> list[np.ndarray]:
    with np.load(path) as data:
        embeddings, offsets = data["embeddings"], data["offsets"]
    return [embeddings[a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)]


def served_encoder(
    settings: Any = None, model_name: str = EMBEDDED, layers: Sequence[int] = ()
) -> tuple[TextEmbedder, str]:
    """An embedded model's sentence embedder at its served precision (QUANTIZE, MODEL_STORE as
    the server reads them), and a key naming it: its weights' hash and the precision.
    `model_name`: `embedded` (MiniLM), or `embedded-fast` (its static vectors). `layers`: inner
    encoder layers whose vectors follow the final layer's in each row (extractive.WithLayers),
    as a context model reading them (ContextModel.encoder_layers) is served."""
    from models.store import resolve
    from service.config import Settings
    from service.engines.extractive import WithLayers, load_embedder
    from service.engines.quantize import effective_precision
    from service.engines.static import is_static_model

    settings = settings or Settings()
    model = resolve(model_name, settings.model_store)
    precision = "off" if is_static_model(model.path) else effective_precision(settings.quantize, model.quantize)
    weights = json.dumps(model.provenance.get("weights") or str(model.path), sort_keys=True)
    key = f"{hashlib.sha256(weights.encode()).hexdigest()[:12]}-{precision}"
    embedder = load_embedder(model.path, precision)
    if not layers:
        return embedder, key
    return WithLayers(embedder, layers), f"{key}-layers{'-'.join(map(str, layers))}"


def encoder_for(
    language: str, settings: Any = None, model_name: str = EMBEDDED, layers: Sequence[int] = ()
) -> tuple[TextEmbedder, str]:
    """What serving ranks an article in `language` with: the embedded model's embedder for
    a language the model declares (served_encoder, with those inner `layers`), else lexical
    vectors (key "lexical")."""
    from models.store import resolve
    from service.config import Settings
    from service.ranker.lexical import LexicalEmbedder

    settings = settings or Settings()
    languages = resolve(model_name, settings.model_store).languages
    if languages is None or language in languages:
        return served_encoder(settings, model_name, layers)
    return LexicalEmbedder(), LEXICAL


def main(argv: list[str] | None = None) -> int:
    """Fill the embedding cache of a data file (several runs may share the work)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--split", choices=SPLITS, default="given")
    parser.add_argument("--reverse", action="store_true", help="take chunks from the end (a second run)")
    parser.add_argument("--model", choices=EMBEDDERS, default=EMBEDDED, help="MiniLM's embeddings, or the fast tier's")
    parser.add_argument(
        "--encoder-layers", type=int, nargs="*", default=[], help="inner layers too (calibrate --encoder-layers)"
    )
    args = parser.parse_args(argv)
    pairs = prepare(read_rows(args.data, args.limit), args.split)
    embedder, key = encoder_for(data_language(pairs), model_name=args.model, layers=args.encoder_layers)
    if key == LEXICAL:
        print(f"{args.data}: ranked on lexical vectors ({data_language(pairs)}), which are not cached")
        return 0
    cache = EmbeddingCache(args.cache, key, sha256_of(args.data))
    done = cache.fill(pairs, embedder, reverse=args.reverse)
    print(f"{cache.folder}: {done} chunks embedded by this run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
