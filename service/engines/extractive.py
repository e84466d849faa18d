"""The embedded engines: extractive summaries ranked on sentence embeddings.

One engine, two sentence representations, chosen by the model folder: a transformer
encoder (`embedded`, all-MiniLM-L6-v2) or a static embedder distilled from it
(`embedded-fast`, service/engines/static.py: no transformer runs). Cleaning, checks,
lengths, profiles and the lexical path for other languages are the same.

Every summary sentence is a sentence of the article, verbatim, so the engine cannot
invent a fact; the model only decides which sentences carry the story.

An article in a language the embedding model does not declare (all-MiniLM-L6-v2 read
English) is ranked by the same ranker on lexical vectors (service/ranker/lexical.py):
position, the lede, length, and centrality and headline overlap over word and character
n-grams. The result says which (`ranking`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from service.domain.summary import Document, ModelInfo, SummaryParams, SummaryResult, SummarySentence
from service.editorial.fitting import fit_purpose, rank_candidates
from service.editorial.focus import lexical_overlap
from service.editorial.purposes import policy
from service.engines.quantize import convert
from service.engines.sharing import touch_weights
from service.engines.static import StaticEmbedder, is_static_model
from service.ranker.focus import focus_scores
from service.ranker.lexical import LexicalEmbedder
from service.ranker.profile import Profile, load_profiles, profile_for
from service.ranker.ranking import RankerWeights, embed_article, rank_input, select_sentences
from service.text.sentences import Sentence

# Sentences past this many tokens are scored on their opening; all of them are still
# eligible for the summary, so nothing of the article is left unread.
MAX_SENTENCE_TOKENS = 128
EMBED_BATCH_SIZE = 64


def mean_pooled(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Each text's mean over its own tokens, padding left out: the sentence vector's pooling."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


class SentenceEmbedder:
    """Mean-pooled, L2-normalised embeddings from a sentence-transformers encoder."""

    def __init__(self, path: Path, precision: str = "off", device: str = "cpu") -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = convert(AutoModel.from_pretrained(path).eval(), precision, device)

    @torch.inference_mode()
    def embed(self, texts: Sequence[str], layers: Sequence[int] = ()) -> np.ndarray:
        """One row per text: the final layer's vector, then, for each of `layers` (1 to the
        model's layer count), that layer's, pooled and normalised alike (the same forward pass)."""
        count = self.model.config.num_hidden_layers
        if any(not 1 <= layer <= count for layer in layers):
            raise ValueError(f"encoder layers are 1 to {count}, not {list(layers)}")
        size = self.model.config.hidden_size
        if not texts:
            return np.zeros((0, size * (1 + len(layers))), dtype=np.float32)
        # Sorting by length keeps padding, and so wasted compute, small in each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), size * (1 + len(layers))), dtype=np.float32)
        for begin in range(0, len(order), EMBED_BATCH_SIZE):
            batch = order[begin : begin + EMBED_BATCH_SIZE]
            encoded = self.tokenizer(
                [texts[i] for i in batch],
                padding=True,
                truncation=True,
                max_length=MAX_SENTENCE_TOKENS,
                return_tensors="pt",
            )
            output = self.model(**encoded.to(self.model.device), output_hidden_states=bool(layers))
            states = [output.last_hidden_state, *(output.hidden_states[layer] for layer in layers)]
            pooled = [mean_pooled(hidden, encoded["attention_mask"]) for hidden in states]
            normalised = [torch.nn.functional.normalize(p.float(), dim=-1) for p in pooled]
            out[batch] = torch.cat(normalised, dim=-1).cpu().numpy()
        return out


class WithLayers:
    """The encoder with inner layers' vectors after the final one's in each row: what a
    profile whose model reads them (Profile.encoder_layers) ranks on."""

    def __init__(self, encoder: SentenceEmbedder | StaticEmbedder, layers: Sequence[int]) -> None:
        if not isinstance(encoder, SentenceEmbedder):
            raise ValueError(f"encoder layers {list(layers)} are a transformer's; this model has static vectors")
        self.encoder, self.layers = encoder, tuple(layers)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.embed(texts, self.layers)


Embedder = SentenceEmbedder | StaticEmbedder


def load_embedder(path: Path, precision: str = "off", device: str = "cpu") -> Embedder:
    """The folder's sentence representation: a static model (model2vec's format) or an encoder."""
    return StaticEmbedder(path) if is_static_model(path) else SentenceEmbedder(path, precision, device)


class ExtractiveEngine:
    abstractive = False
    # No preference: any micro-batch size works, as each article is embedded on its own.
    preferred_batch_size: int | None = None
    # A summary takes tens of milliseconds: a micro-batch waits little to fill.
    batch_wait_ms = 10

    def __init__(
        self,
        path: Path,
        info: ModelInfo,
        precision: str = "off",
        weights: RankerWeights | None = None,
        profile: Profile | Sequence[Profile] | None = None,
    ) -> None:
        """`profile`: the ranker profile, or one per language (`load_profiles(RANKER_PROFILE)`);
        None is the built-in default. `weights` (kept for callers that tune them) replaces the
        first profile's weights."""
        self.embedder = load_embedder(path, precision, info.device)
        static = isinstance(self.embedder, StaticEmbedder)
        precision = "off" if static else precision  # a table of vectors: nothing to quantise
        profiles = [profile] if isinstance(profile, Profile) else list(profile or []) or load_profiles("")
        first = profiles[0]
        if weights is not None:
            profiles[0] = Profile("custom", weights, first.salience, first.source, first.meta, first.language)
        self.profiles = profiles
        self.profile = profiles[0]
        self._layered = self._layered_encoders(profiles)
        self.weights = self.profile.weights
        self.lexical = LexicalEmbedder()
        self.info = replace(
            info,
            engine="extractive",
            # Any other language is ranked lexically, by any extractive model (one given by folder too).
            other_languages=info.other_languages or LexicalEmbedder.kind,
            precision=precision,
            settings={
                "embedder": "static" if static else "encoder",
                "max_sentence_tokens": self.embedder.max_tokens
                if isinstance(self.embedder, StaticEmbedder)
                else MAX_SENTENCE_TOKENS,
                "profile": ",".join(p.name for p in profiles),
                "ranker": self.profile.settings(),
                **({"profiles": [p.settings() for p in profiles]} if len(profiles) > 1 else {}),
                "quantize": precision,
            },
        )

    def summarize(self, documents: Sequence[Document], params: Sequence[SummaryParams]) -> list[SummaryResult]:
        # Each article is embedded on its own. int8 quantises activations with one scale per
        # model call, so an article sharing a call with others could see its summary change
        # with its neighbours; and grouping articles measured no faster.
        return [self._summarize_one(doc, p) for doc, p in zip(documents, params, strict=True)]

    def stream(
        self, document: Document, params: SummaryParams, cancel: threading.Event
    ) -> Iterator[SummarySentence | SummaryResult]:
        """Extractive sentences are final together: all of them at once, then the result."""
        result = self._summarize_one(document, params)
        yield from result.sentences
        yield result

    def _layered_encoders(self, profiles: Sequence[Profile]) -> dict[tuple[int, ...], WithLayers]:
        """The encoder as each profile reading inner layers needs it, each such profile tried on
        it once here: a layer the model lacks, or vectors of another width, fail at load."""
        layered = [p for p in profiles if p.encoder_layers]
        encoders = {p.encoder_layers: WithLayers(self.embedder, p.encoder_layers) for p in layered}
        texts = ["A check of the encoder layers.", "It runs once, at load."]
        for profile in layered:
            layers = profile.encoder_layers
            profile.score(rank_input(encoders[layers].embed(texts), texts, layers=len(layers)))
        return encoders

    def embeds(self, language: str) -> bool:
        """Whether the embedding model reads `language` (else the ranking is lexical)."""
        return self.info.languages is None or language in self.info.languages

    def profile_for(self, language: str) -> Profile:
        """The configured profile fitted on `language`, else the built-in default
        (service/ranker/profile.py)."""
        return profile_for(self.profiles, language)

    def _summarize_one(self, doc: Document, params: SummaryParams) -> SummaryResult:
        embedder: Embedder | LexicalEmbedder = self.embedder if self.embeds(doc.language) else self.lexical
        profile = self.profile_for(doc.language)
        texts = [s.text for s in doc.sentences]
        layers = profile.encoder_layers if embedder is self.embedder else ()
        embedded = embed_article(self._layered[layers] if layers else embedder, texts, doc.title)
        article = rank_input(embedded, texts, bool(doc.title), doc.title_confidence, len(layers))
        scores = profile.score(article)
        matched = None
        if params.focus:
            scores, matched = self._focus(doc, embedder, article.embeddings, scores, params.focus)
        # Sentences unrelated to a matched focus score -inf: never candidates.
        eligible = [i for i in range(len(doc.sentences)) if np.isfinite(scores[i])]
        sentences = [doc.sentences[i] for i in eligible]
        if policy(params.purpose).budgeted:
            result = self._fit_purpose(sentences, scores[eligible], params, matched)
        else:
            if len(eligible) < len(doc.sentences):
                article = article.only(eligible)
            chosen = select_sentences(sentences, article, scores[eligible], params, profile.weights)
            result = SummaryResult(sentences=chosen, focus_matched=matched)
        result.ranking = "embeddings" if embedder is self.embedder else LexicalEmbedder.kind
        result.profile = profile.name
        return result

    def _focus(
        self,
        doc: Document,
        embedder: Embedder | LexicalEmbedder,
        sentence_embeddings: np.ndarray,
        scores: np.ndarray,
        focus: str,
    ) -> tuple[np.ndarray, bool]:
        """Scores blended with relevance to the focus; when nothing in the article relates
        to it, the usual scores (the response says focus_matched: false)."""
        if isinstance(embedder, LexicalEmbedder):
            # Lexical vectors compare within one call only: the focus with the sentences.
            joint = embedder.embed([*(s.text for s in doc.sentences), focus])
            sentence_embeddings, focus_embedding = joint[:-1], joint[-1]
        else:
            # Its own model call, so that the article's embeddings stay what they are unfocused.
            focus_embedding = embedder.embed([focus])[0]
        lexical = lexical_overlap([s.text for s in doc.sentences], focus)
        blended, matched = focus_scores(sentence_embeddings, focus_embedding, scores, lexical=lexical)
        return (blended, True) if matched else (scores, False)

    def _fit_purpose(
        self, sentences: list[Sentence], scores: np.ndarray, params: SummaryParams, matched: bool | None
    ) -> SummaryResult:
        """A purpose with its own budget: the best-ranked sentences that fit, else the best compressed."""
        fitted = fit_purpose(rank_candidates(sentences, scores), params.purpose)
        by_index = {s.index: (s, float(score)) for s, score in zip(sentences, scores, strict=True)}
        chosen = [
            SummarySentence(
                piece.text,
                by_index[piece.index][0],
                by_index[piece.index][1],
                spans=tuple(piece.spans),
                compressed=piece.compressed,
                truncated=piece.truncated,
            )
            for piece in fitted.pieces
        ]
        return SummaryResult(sentences=chosen, focus_matched=matched)

    def warm_up(self) -> None:
        if isinstance(self.embedder, SentenceEmbedder):
            touch_weights(self.embedder.model)
        self.embedder.embed(["Warm-up sentence for the encoder."])
