"""What the abstractive engines share: token-aware chunking of long articles, batched
generation, length budgets and clean-up of the generated text.

An article longer than the model's input limit is never cut silently. With
overflow="chunk" (the default) it is split at sentence boundaries into chunks that fit,
each chunk is summarised, the partial summaries are merged and de-duplicated, and the
merge is summarised again (chunked again if it is still too long). "head" keeps the
lead that fits, "error" refuses; every result reports tokens, limit, chunks and coverage."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch

from service.engines.base import (
    Coverage,
    Document,
    ModelInfo,
    SummaryParams,
    SummaryResult,
    SummarySentence,
)
from service.engines.focus import lexical_overlap
from service.engines.length import LengthBudget, fit_in_order
from service.engines.newsroom import fit_text, fits
from service.engines.quantize import convert
from service.engines.sharing import touch_weights
from service.engines.streaming import stream_sentences
from service.exceptions import InputTooLong
from service.text.postprocess import generated_sentences, is_repeat

MAX_LEVELS = 6  # summarise-the-summaries rounds before the merge is cut to fit
CHUNK_SUMMARY_SENTENCES = 3  # length of each partial summary


@dataclass(frozen=True)
class GenerationLimits:
    """Deployment caps on what a request may ask of a generative model."""

    max_new_tokens: int = 256
    max_beams: int = 8
    max_input_tokens: int = 2048  # caps the model's own limit (CPU cost grows with it)
    # Sequences per generate() call: texts × beams. On a CPU, past about 8 sequences a call
    # stops gaining from batching (distilbart with 4 beams ran slower 4 texts at a time than
    # one at a time), so a beam-search model takes fewer texts a call.
    batch_size: int = 8


@dataclass(frozen=True)
class GenerationJob:
    """One text to generate from: a whole article (or the merge of its partial summaries),
    or one chunk of a long article."""

    doc: int  # which document of the engine call it belongs to
    text: str
    settings: dict[str, Any]  # generate() settings
    final: bool  # True: this pass writes the summary itself; False: a partial summary of a chunk
    sentences: int = CHUNK_SUMMARY_SENTENCES  # how many sentences to ask a prompted model for
    title: str | None = None
    focus: str | None = None  # final pass: what the summary should be about
    purpose: str = "summary"  # final pass: a newsroom length to write to
    firmer: bool = False  # the one retry of a newsroom length that came out too long


@dataclass
class _DocState:
    pieces: list[str]  # texts still to summarise
    coverage: Coverage
    level: int = 0


# Tokens a newsroom length's firmer retry may generate: about 4 characters a token.
_FIRMER_TOKENS = {"seo_description": 40, "social": 64, "key_points": 160}


def _firmer(settings: dict[str, Any], purpose: str) -> dict[str, Any]:
    tokens = min(int(settings["max_new_tokens"]), _FIRMER_TOKENS[purpose])
    return {**settings, "max_new_tokens": tokens, "min_new_tokens": 0}


def _fitted(text: str, purpose: str) -> list[SummarySentence]:
    """A generated newsroom length: as generated when it fits its budget, else compressed
    (or, last, cut at a word boundary) by the same rules as the extractive engine's."""
    if not fits(text, purpose):
        fitted = fit_text(text, purpose)
        return [SummarySentence(p.text, compressed=p.compressed, truncated=p.truncated) for p in fitted.pieces]
    if purpose == "key_points":
        lines = (line.strip().lstrip("-*•").strip() for line in text.splitlines())
        return [SummarySentence(line) for line in lines if line]
    return [SummarySentence(s) for s in generated_sentences(text)]


def sentences_for_length(params: SummaryParams) -> int:
    """The sentence count to ask for, whatever unit the length came in."""
    if params.max_sentences is not None:
        return params.max_sentences
    if params.max_words is not None:
        return max(1, math.ceil(params.max_words / 25))
    if params.max_chars is not None:
        return max(1, math.ceil(params.max_chars / 150))
    return 3


def tokens_for_length(params: SummaryParams) -> int:
    """A generation budget (new tokens) that fits the requested summary length."""
    if params.max_words is not None:
        return math.ceil(params.max_words * 1.6) + 8
    if params.max_chars is not None:
        return math.ceil(params.max_chars / 3.5) + 8
    return 40 * (params.max_sentences or 3) + 8


class GenerativeEngine:
    """Base of the seq2seq and instruct engines. Subclasses load the model and say how
    texts become model inputs (`_encode`) and outputs become text (`_decode`)."""

    abstractive = True
    engine_name = "generative"
    # A generated summary takes seconds and batching makes generation several times faster,
    # so waiting 0.1 s for a fuller micro-batch costs little.
    batch_wait_ms = 100

    def __init__(self, info: ModelInfo, limits: GenerationLimits, tokenizer: Any, model: Any, precision: str) -> None:
        self.limits = limits
        self.tokenizer = tokenizer
        self.model = convert(model.eval(), precision)
        self.defaults = self._default_generation()
        self.input_limit = self._input_limit()
        # Fixed per model: computed once, not per article (the instruct prompt is rendered
        # and tokenised to measure it).
        self._text_budgets = {final: max(16, self.input_limit - self._overhead_tokens(final))
                              for final in (True, False)}
        self._chunk_generation = self.generation_settings(SummaryParams(max_sentences=CHUNK_SUMMARY_SENTENCES))
        self.info = replace(
            info, engine=self.engine_name, precision=precision,
            settings={"input_limit": self.input_limit, "generation": self.defaults, "limits": vars(limits),
                      "quantize": precision},
        )

    # --- subclass hooks ------------------------------------------------------------
    def _default_generation(self) -> dict[str, Any]:
        raise NotImplementedError

    def _model_input_limit(self) -> int:
        raise NotImplementedError

    def _overhead_tokens(self, final: bool) -> int:
        """Tokens of prompt, prefix and special tokens around the article text."""
        raise NotImplementedError

    def _encode(self, jobs: Sequence[GenerationJob]) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def _decode(self, outputs: torch.Tensor, inputs: dict[str, torch.Tensor]) -> list[str]:
        raise NotImplementedError

    # --- shared machinery ----------------------------------------------------------
    def _input_limit(self) -> int:
        return min(self._model_input_limit(), self.limits.max_input_tokens)

    def text_budget(self, final: bool = True) -> int:
        """Tokens of article text one model call can read."""
        return self._text_budgets[final]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def generation_settings(self, params: SummaryParams) -> dict[str, Any]:
        """Checkpoint defaults, sized to the requested length, then the request's overrides, capped."""
        settings = dict(self.defaults)
        budget = min(tokens_for_length(params), settings.get("max_new_tokens") or self.limits.max_new_tokens)
        settings["max_new_tokens"] = budget
        settings.update(params.generation)
        settings["max_new_tokens"] = max(1, min(int(settings["max_new_tokens"]), self.limits.max_new_tokens))
        settings["num_beams"] = max(1, min(int(settings.get("num_beams") or 1), self.limits.max_beams))
        # A checkpoint's minimum must leave room below a shortened budget; an explicit one is honoured.
        floor = settings["max_new_tokens"] if "min_new_tokens" in params.generation else settings["max_new_tokens"] // 2
        settings["min_new_tokens"] = min(int(settings.get("min_new_tokens") or 0), floor)
        return settings

    def _pack(self, texts: Sequence[str], counts: Sequence[int], budget: int) -> list[list[int]]:
        """Consecutive texts packed greedily into groups of at most `budget` tokens."""
        groups: list[list[int]] = []
        used = 0
        for i, count in enumerate(counts):
            if groups and used + count + 1 <= budget:
                groups[-1].append(i)
                used += count + 1
            else:
                groups.append([i])
                used = count
        return groups

    def _split_overlong(self, text: str, budget: int) -> list[str]:
        """A sentence longer than a whole model input, cut into word windows that fit."""
        words = text.split()
        counts = self.count_tokens([f" {w}" for w in words])
        return [" ".join(words[i] for i in group) for group in self._pack(words, counts, budget - 2)]

    def _chunks(self, texts: Sequence[str], budget: int) -> list[str]:
        """Texts (sentences, in order) joined into chunks of at most `budget` tokens; none is cut."""
        units: list[str] = []
        for text, count in zip(texts, self.count_tokens(texts), strict=True):
            units.extend(self._split_overlong(text, budget) if count > budget else [text])
        counts = self.count_tokens(units)
        return [" ".join(units[i] for i in group) for group in self._pack(units, counts, budget)]

    def _plan(self, doc: Document, params: SummaryParams) -> _DocState:
        total = self.count_tokens([doc.text])[0]
        budget = self.text_budget(final=True)
        coverage = Coverage(input_tokens=total, token_limit=budget)
        if total <= budget:
            return _DocState([doc.text], coverage)
        if params.overflow == "error":
            raise InputTooLong(total, budget)
        texts = [s.text for s in doc.sentences]
        if params.overflow == "head":
            # The lead that fits, cut at a sentence boundary (within a first overlong sentence if need be).
            lead = self._chunks(texts, budget)[0]
            return _DocState([lead], Coverage(total, budget, 1, True, round(len(lead) / max(1, len(doc.text)), 4)))
        chunks = self._chunks(texts, self.text_budget(final=False))
        return _DocState(chunks, Coverage(total, budget, len(chunks), False, 1.0))

    def _merge(self, outputs: list[str]) -> list[str]:
        """Partial summaries as one list of distinct sentences, in article order."""
        merged: list[str] = []
        for output in outputs:
            for sentence in generated_sentences(output):
                if not is_repeat(sentence, merged):
                    merged.append(sentence)
        return merged

    def _run(self, jobs: list[GenerationJob]) -> list[str]:
        """Generate for every job, batching jobs that share their settings."""
        results: list[str] = [""] * len(jobs)
        groups: dict[tuple, list[int]] = {}
        for i, job in enumerate(jobs):
            groups.setdefault((job.final, tuple(sorted(job.settings.items()))), []).append(i)
        for indices in groups.values():
            # Similar lengths together: less padding in each batch.
            indices.sort(key=lambda i: len(jobs[i].text))
            per_call = self.texts_per_call(jobs[indices[0]].settings.get("num_beams"))
            for begin in range(0, len(indices), per_call):
                batch = [jobs[i] for i in indices[begin : begin + per_call]]
                inputs = self._encode(batch)
                with torch.inference_mode():
                    outputs = self.model.generate(**inputs, **self._generate_kwargs(batch[0].settings))
                for i, text in zip(indices[begin : begin + per_call], self._decode(outputs, inputs), strict=True):
                    results[i] = text
        return results

    def texts_per_call(self, num_beams: int | None) -> int:
        return max(1, self.limits.batch_size // max(1, num_beams or 1))

    @property
    def preferred_batch_size(self) -> int:
        """Articles worth grouping in one micro-batch: one generate() call's worth at the
        model's default beams, so that requests are answered as soon as their call ends."""
        return self.texts_per_call(self.defaults.get("num_beams"))

    def _generate_kwargs(self, settings: dict[str, Any]) -> dict[str, Any]:
        kwargs = {k: v for k, v in settings.items() if v is not None}
        kwargs["do_sample"] = False
        if kwargs.get("num_beams", 1) == 1:
            kwargs.pop("early_stopping", None)
            kwargs.pop("length_penalty", None)
        return kwargs

    def summarize(self, documents: Sequence[Document], params: Sequence[SummaryParams]) -> list[SummaryResult]:
        focused = [self._focused(doc, p.focus) for doc, p in zip(documents, params, strict=True)]
        states = [self._plan(doc, p) for (doc, _, _), p in zip(focused, params, strict=True)]
        return self._generate_all(focused, states, params)

    def _generate_all(
        self, focused: Sequence[tuple[Document, bool | None, int | None]], states: list[_DocState],
        params: Sequence[SummaryParams],
    ) -> list[SummaryResult]:
        """Summarise planned documents: rounds of generation until each is one summary."""
        documents = [doc for doc, _, _ in focused]
        final_settings = [self.generation_settings(p) for p in params]
        done: dict[int, str] = {}
        while len(done) < len(states):
            jobs = [job for d, state in enumerate(states) if d not in done
                    for job in self._jobs(d, state, documents[d], params[d], final_settings[d])]
            outputs = self._run(jobs)
            for d, state in enumerate(states):
                if d in done:
                    continue
                mine = [out for job, out in zip(jobs, outputs, strict=True) if job.doc == d]
                if len(state.pieces) == 1:
                    done[d] = mine[0]
                else:
                    self._merge_round(state, mine)
        self._retry_over_budget(done, states, documents, params, final_settings)
        results = []
        for d, state in enumerate(states):
            _, matched, selected = focused[d]
            result = SummaryResult([], state.coverage, final_settings[d], focus_matched=matched,
                                   focus_sentences=selected)
            if params[d].purpose == "summary":
                result.sentences = [SummarySentence(s) for s in fit_in_order(generated_sentences(done[d]), params[d])]
            else:
                result.sentences = _fitted(done[d], params[d].purpose)
            results.append(result)
        return results

    def stream(
        self, document: Document, params: SummaryParams, cancel: threading.Event
    ) -> Iterator[SummarySentence | SummaryResult]:
        """Each sentence as generation completes it (greedy search, an article that fits one
        model input, the usual summary); otherwise the sentences are only final at the end."""
        doc, matched, selected = self._focused(document, params.focus)
        state = self._plan(doc, params)
        settings = self.generation_settings(params)
        if len(state.pieces) > 1 or params.purpose != "summary" or settings["num_beams"] > 1:
            [result] = self._generate_all([(doc, matched, selected)], [state], [params])
            yield from result.sentences
            yield result
            return
        inputs = self._encode(self._jobs(0, state, doc, params, settings))

        def generate(streamer: Any) -> None:
            with torch.inference_mode():
                self.model.generate(**inputs, **self._generate_kwargs(settings), streamer=streamer,
                                    stopping_criteria=streamer.stopping_criteria())

        budget, kept = LengthBudget(params), []
        for sentence in stream_sentences(generate, self.tokenizer, cancel):
            if kept and (budget.full() or not budget.fits(sentence)):
                break  # the requested length is reached: closing the stream stops generation
            budget.add(sentence)
            kept.append(SummarySentence(sentence))
            yield kept[-1]
        yield SummaryResult(kept, state.coverage, settings, focus_matched=matched, focus_sentences=selected)

    # --- focus and newsroom lengths ----------------------------------------------------
    focus_in_prompt = False  # instruct models read the focus; seq2seq models get a focused input

    def _focused(self, doc: Document, focus: str | None) -> tuple[Document, bool | None, int | None]:
        """The document to summarise for a focus, whether the article relates to it (a
        focus word in some sentence), and how many sentences were selected (seq2seq: the
        related ones become the model's input, in article order: extract, then abstract)."""
        if not focus:
            return doc, None, None
        overlap = lexical_overlap([s.text for s in doc.sentences], focus)
        related = [s for s, share in zip(doc.sentences, overlap, strict=True) if share > 0]
        if not related or self.focus_in_prompt:
            return doc, bool(related), None
        return Document(" ".join(s.text for s in related), related, doc.title), True, len(related)

    def _retry_over_budget(
        self, done: dict[int, str], states: list[_DocState], documents: Sequence[Document],
        params: Sequence[SummaryParams], settings: list[dict[str, Any]],
    ) -> None:
        """A newsroom length that came out over its budget is generated once more, asked
        more firmly (and with fewer tokens to spend)."""
        over = [d for d, p in enumerate(params) if p.purpose != "summary" and not fits(done[d], p.purpose)]
        jobs = [replace(self._jobs(d, states[d], documents[d], params[d], _firmer(settings[d], params[d].purpose))[0],
                        firmer=True) for d in over]
        for job, output in zip(jobs, self._run(jobs), strict=True):
            done[job.doc] = output

    def _jobs(
        self, d: int, state: _DocState, doc: Document, params: SummaryParams, settings: dict[str, Any]
    ) -> list[GenerationJob]:
        """This round's generation for one document: the summary itself when one piece is
        left, else a partial summary of each chunk."""
        if len(state.pieces) == 1:
            return [GenerationJob(doc=d, text=state.pieces[0], settings=settings, final=True,
                                  sentences=sentences_for_length(params), title=doc.title, focus=params.focus,
                                  purpose=params.purpose)]
        return [GenerationJob(doc=d, text=piece, settings=self._chunk_generation, final=False)
                for piece in state.pieces]

    def _merge_round(self, state: _DocState, partials: list[str]) -> None:
        """The partial summaries merged into the next round's pieces."""
        state.level += 1
        merged = self._merge(partials)
        budget = self.text_budget(final=True)
        if sum(self.count_tokens(merged)) + len(merged) <= budget:
            state.pieces = [" ".join(merged)]
        elif state.level >= MAX_LEVELS:
            # Still too long after several rounds: read the merge's lead, and say so.
            state.pieces = self._chunks(merged, budget)[:1]
            covered = len(state.pieces[0]) / max(1, len(" ".join(merged)))
            state.coverage = replace(state.coverage, truncated=True, covered=round(covered, 4))
        else:
            state.pieces = self._chunks(merged, self.text_budget(final=False))

    def warm_up(self) -> None:
        touch_weights(self.model)
        self.summarize([Document("Warm-up text for the model.", [])], [SummaryParams(generation={"max_new_tokens": 2})])
