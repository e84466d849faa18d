"""Running a generative model: batched `generate` calls, one streamed sequence with
cancellation, and the generation settings a request's length asks for.

The runner knows nothing of articles or purposes: it turns `GenerationJob`s into texts
through the engine's `encode` and `decode` (how a job becomes model inputs, and outputs
become text)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from service.domain.summary import Purpose, SummaryParams
from service.engines.streaming import SentenceStreamer, stream_sentences

GenerateSettings = dict[str, Any]  # keyword arguments of generate()
ModelInputs = Mapping[str, torch.Tensor]
CHUNK_SUMMARY_SENTENCES = 3  # length of each partial summary of a chunk


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

    text: str
    settings: GenerateSettings
    final: bool  # True: this pass writes the summary itself; False: a partial summary of a chunk
    sentences: int = CHUNK_SUMMARY_SENTENCES  # how many sentences to ask a prompted model for
    title: str | None = None
    focus: str | None = None  # final pass: what the summary should be about
    purpose: Purpose = "summary"  # final pass: what the summary is for
    firmer: bool = False  # the one retry of an answer that missed its purpose's budget
    language: str = "en"  # the article's (ISO 639-1): a prompted model is told to answer in it


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


def generation_settings(
    defaults: GenerateSettings, limits: GenerationLimits, params: SummaryParams
) -> GenerateSettings:
    """Checkpoint defaults, sized to the requested length, then the request's overrides, capped."""
    settings = dict(defaults)
    settings["max_new_tokens"] = min(tokens_for_length(params), settings.get("max_new_tokens") or limits.max_new_tokens)
    settings.update(params.generation)
    settings["max_new_tokens"] = max(1, min(int(settings["max_new_tokens"]), limits.max_new_tokens))
    settings["num_beams"] = max(1, min(int(settings.get("num_beams") or 1), limits.max_beams))
    # A checkpoint's minimum must leave room below a shortened budget; an explicit one is honoured.
    floor = settings["max_new_tokens"] if "min_new_tokens" in params.generation else settings["max_new_tokens"] // 2
    settings["min_new_tokens"] = min(int(settings.get("min_new_tokens") or 0), floor)
    return settings


class Runner(Protocol):
    """What the abstractive engines' shared steps (service/engines/generative.py) ask of a
    model: a model in this process (GenerationRunner) or on an inference server
    (service/engines/remote.py)."""

    def texts_per_call(self, num_beams: int | None) -> int: ...

    def run(self, jobs: Sequence[GenerationJob]) -> list[str]: ...

    def stream(self, job: GenerationJob, cancel: threading.Event) -> Generator[str, None, None]: ...


@dataclass(frozen=True)
class GenerationRunner:
    model: Any  # a transformers model with generate()
    tokenizer: Any
    encode: Callable[[Sequence[GenerationJob]], ModelInputs]
    decode: Callable[[torch.Tensor, ModelInputs], list[str]]
    limits: GenerationLimits

    def _inputs(self, jobs: Sequence[GenerationJob]) -> ModelInputs:
        """The jobs encoded, on the model's device (DEVICE)."""
        return {name: tensor.to(self.model.device) for name, tensor in self.encode(jobs).items()}

    def texts_per_call(self, num_beams: int | None) -> int:
        return max(1, self.limits.batch_size // max(1, num_beams or 1))

    def run(self, jobs: Sequence[GenerationJob]) -> list[str]:
        """Generate for every job (texts in job order), batching jobs that share their settings."""
        results: list[str] = [""] * len(jobs)
        groups: dict[tuple[bool, tuple[tuple[str, Any], ...]], list[int]] = {}
        for i, job in enumerate(jobs):
            groups.setdefault((job.final, tuple(sorted(job.settings.items()))), []).append(i)
        for indices in groups.values():
            # Similar lengths together: less padding in each batch.
            indices.sort(key=lambda i: len(jobs[i].text))
            per_call = self.texts_per_call(jobs[indices[0]].settings.get("num_beams"))
            for begin in range(0, len(indices), per_call):
                batch = indices[begin : begin + per_call]
                inputs = self._inputs([jobs[i] for i in batch])
                with torch.inference_mode():
                    outputs = self.model.generate(**inputs, **_generate_kwargs(jobs[batch[0]].settings))
                for i, text in zip(batch, self.decode(outputs, inputs), strict=True):
                    results[i] = text
        return results

    def stream(self, job: GenerationJob, cancel: threading.Event) -> Generator[str, None, None]:
        """One job's sentences as generation completes them (greedy search); closing the
        iterator, or setting `cancel`, stops the generation at its next step."""
        inputs = self._inputs([job])

        def generate(streamer: SentenceStreamer) -> None:
            with torch.inference_mode():
                self.model.generate(
                    **inputs,
                    **_generate_kwargs(job.settings),
                    streamer=streamer,
                    stopping_criteria=streamer.stopping_criteria(),
                )

        return stream_sentences(generate, self.tokenizer, cancel)


def _generate_kwargs(settings: GenerateSettings) -> GenerateSettings:
    kwargs = {k: v for k, v in settings.items() if v is not None}
    kwargs["do_sample"] = False
    if kwargs.get("num_beams", 1) == 1:
        kwargs.pop("early_stopping", None)
        kwargs.pop("length_penalty", None)
    return kwargs
