"""What the abstractive engines share: a model adapter around three parts.

- before: the editorial focus step (service/editorial/focus.py) and a chunk plan for an
  article longer than the model's input (service/engines/chunking.py);
- generation: batched `generate` calls and streaming (service/engines/generation.py);
- after: the editorial step on what was written (service/editorial/generated.py).

Subclasses load the model and say how jobs become model inputs (`_encode`) and outputs
become text (`_decode`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

import torch

from service.domain.length import within_budget
from service.domain.summary import Document, ModelInfo, SummaryParams, SummaryResult, SummarySentence
from service.editorial.focus import Focused, focused_document
from service.editorial.generated import needs_retry, retry_settings, summary_sentences
from service.editorial.language import LANGUAGE_PROMPT_TOKENS
from service.editorial.purposes import policy
from service.engines.chunking import ChunkPlan, ChunkPlanner, TextBudgets
from service.engines.generation import (
    CHUNK_SUMMARY_SENTENCES,
    GenerateSettings,
    GenerationJob,
    GenerationLimits,
    GenerationRunner,
    ModelInputs,
    Runner,
    generation_settings,
    sentences_for_length,
)
from service.engines.quantize import convert
from service.engines.sharing import touch_weights


@dataclass
class _Generation:
    """One document's generation in progress."""

    params: SummaryParams
    focused: Focused
    settings: GenerateSettings  # the final pass's
    plan: ChunkPlan
    planner: ChunkPlanner  # the engine's, or one that keeps room for the language instruction
    text: str | None = None  # the summary as generated, once written

    def result(self, sentences: list[SummarySentence]) -> SummaryResult:
        return SummaryResult(
            sentences,
            self.plan.coverage,
            self.settings,
            focus_matched=self.focused.matched,
            focus_sentences=self.focused.selected,
        )


class GenerativeEngine:
    """Base of the seq2seq and instruct engines."""

    abstractive = True
    engine_name = "generative"
    # A generated summary takes seconds and batching makes generation several times faster,
    # so waiting 0.1 s for a fuller micro-batch costs little.
    batch_wait_ms = 100
    focus_in_prompt = False  # instruct models read the focus; seq2seq models get a focused input

    def __init__(self, info: ModelInfo, limits: GenerationLimits, tokenizer: Any, model: Any, precision: str) -> None:
        self.limits = limits
        self.tokenizer = tokenizer
        self.model = convert(model.eval(), precision, info.device)
        self.runner: Runner = GenerationRunner(self.model, tokenizer, self._encode, self._decode, limits)
        self.defaults = self._default_generation()
        self.input_limit = min(self._model_input_limit(), limits.max_input_tokens)
        # Fixed per model: computed once, not per article (the instruct prompt is rendered
        # and tokenised to measure it).
        final, chunk = (max(16, self.input_limit - self._overhead_tokens(final)) for final in (True, False))
        self.planner = ChunkPlanner(self.count_tokens, TextBudgets(final=final, chunk=chunk))
        self._chunk_generation = self.generation_settings(SummaryParams(max_sentences=CHUNK_SUMMARY_SENTENCES))
        self.info = replace(
            info,
            engine=self.engine_name,
            precision=precision,
            settings={
                "input_limit": self.input_limit,
                "generation": self.defaults,
                "limits": vars(limits),
                "quantize": precision,
            },
        )

    # --- subclass hooks ------------------------------------------------------------
    def _default_generation(self) -> GenerateSettings:
        raise NotImplementedError

    def _model_input_limit(self) -> int:
        raise NotImplementedError

    def _overhead_tokens(self, final: bool) -> int:
        """Tokens of prompt, prefix and special tokens around the article text."""
        raise NotImplementedError

    def _encode(self, jobs: Sequence[GenerationJob]) -> ModelInputs:
        raise NotImplementedError

    def _decode(self, outputs: torch.Tensor, inputs: ModelInputs) -> list[str]:
        raise NotImplementedError

    # --- sizes ---------------------------------------------------------------------
    def text_budget(self, final: bool = True) -> int:
        """Tokens of article text one model call can read."""
        return self.planner.budgets.final if final else self.planner.budgets.chunk

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def generation_settings(self, params: SummaryParams) -> GenerateSettings:
        return generation_settings(self.defaults, self.limits, params)

    def texts_per_call(self, num_beams: int | None) -> int:
        return self.runner.texts_per_call(num_beams)

    @property
    def preferred_batch_size(self) -> int:
        """Articles worth grouping in one micro-batch: one generate() call's worth at the
        model's default beams, so that requests are answered as soon as their call ends."""
        return self.texts_per_call(self.defaults.get("num_beams"))

    # --- summaries -----------------------------------------------------------------
    def summarize(self, documents: Sequence[Document], params: Sequence[SummaryParams]) -> list[SummaryResult]:
        return self._generate_all([self._start(doc, p) for doc, p in zip(documents, params, strict=True)])

    def stream(
        self, document: Document, params: SummaryParams, cancel: threading.Event
    ) -> Iterator[SummarySentence | SummaryResult]:
        """Each sentence as generation completes it (greedy search, an article that fits one
        model input, a purpose without a budget); otherwise the sentences are only final at the end."""
        work = self._start(document, params)
        if not work.plan.final or policy(params.purpose).budgeted or work.settings["num_beams"] > 1:
            [result] = self._generate_all([work])
            yield from result.sentences
            yield result
            return
        kept: list[SummarySentence] = []
        # Past the requested length the stream is closed, which stops the generation.
        with closing(self.runner.stream(self._final_job(work), cancel)) as generated:
            for sentence in within_budget(generated, params):
                kept.append(SummarySentence(sentence))
                yield kept[-1]
        yield work.result(kept)

    def _start(self, document: Document, params: SummaryParams) -> _Generation:
        focused = focused_document(document, params.focus, self.focus_in_prompt)
        sentences = [s.text for s in focused.document.sentences]
        planner = self._planner_for(focused.document)
        plan = planner.plan(focused.document.text, sentences, params.overflow)
        return _Generation(params, focused, self.generation_settings(params), plan, planner)

    def _planner_for(self, document: Document) -> ChunkPlanner:
        """The chunk planner for this article. A prompted model told to answer in an article's
        language other than English (service/editorial/language.py) keeps room for that
        instruction in every prompt; an English article is planned as it always was."""
        if not self.focus_in_prompt or getattr(document, "language", "en") == "en":
            return self.planner
        budgets, room = self.planner.budgets, LANGUAGE_PROMPT_TOKENS
        return replace(self.planner, budgets=TextBudgets(max(16, budgets.final - room), max(16, budgets.chunk - room)))

    def _generate_all(self, works: Sequence[_Generation]) -> list[SummaryResult]:
        """Rounds of generation until each document has its summary, then one firmer retry
        of each that missed its purpose's budget, then the editorial step after."""
        pending = list(works)
        while pending:
            rounds = [self._round_jobs(work) for work in pending]
            outputs = iter(self.runner.run([job for jobs in rounds for job in jobs]))
            for work, jobs in zip(pending, rounds, strict=True):
                written = list(islice(outputs, len(jobs)))
                if work.plan.final:
                    work.text = written[0]
                else:
                    work.plan = work.planner.next_round(work.plan, written)
            pending = [work for work in pending if work.text is None]
        over = [work for work in works if needs_retry(work.text or "", work.params.purpose)]
        for work, text in zip(over, self.runner.run([self._final_job(w, firmer=True) for w in over]), strict=True):
            work.text = text
        return [work.result(summary_sentences(work.text or "", work.params)) for work in works]

    def _round_jobs(self, work: _Generation) -> list[GenerationJob]:
        """This round's generation for one document: the summary itself when one piece is
        left, else a partial summary of each chunk."""
        if work.plan.final:
            return [self._final_job(work)]
        language = getattr(work.focused.document, "language", "en")
        return [
            GenerationJob(text=piece, settings=self._chunk_generation, final=False, language=language)
            for piece in work.plan.pieces
        ]

    def _final_job(self, work: _Generation, firmer: bool = False) -> GenerationJob:
        """The pass that writes the summary; `firmer`: its retry, asked more firmly with
        fewer tokens to spend."""
        params = work.params
        settings = retry_settings(work.settings, params.purpose) if firmer else work.settings
        return GenerationJob(
            text=work.plan.pieces[0],
            settings=settings,
            final=True,
            sentences=sentences_for_length(params),
            title=work.focused.document.title,
            focus=params.focus,
            purpose=params.purpose,
            firmer=firmer,
            language=getattr(work.focused.document, "language", "en"),
        )

    def warm_up(self) -> None:
        touch_weights(self.model)
        self.summarize([Document("Warm-up text for the model.", [])], [SummaryParams(generation={"max_new_tokens": 2})])
