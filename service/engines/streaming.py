"""Sentence streaming for generative engines (server-sent events).

`SentenceStreamer` is handed to `model.generate(streamer=…)` for ONE sequence (batch of
one, greedy). It decodes the tokens so far after each step and calls `on_sentence` once a
sentence is complete, i.e. once the splitter sees the next sentence begin (a full stop
alone is not enough: "Mr." and "3." are not ends). At `end()` the rest is flushed with
the same rules as the non-streamed path (service.text.postprocess.generated_sentences:
spacing fixed, repeats dropped, an unfinished last sentence dropped when one finished
before it), so the sentences streamed are the sentences the engine would have returned.

A disconnected client stops the generation: `CancelledCriteria` is a StoppingCriteria
that reads a threading.Event; `stream_sentences` runs generate() in a thread and sets the
event when its consumer stops reading (an SSE response closed by the server when the
client goes)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator
from typing import Any, cast

import torch
from transformers import StoppingCriteria, StoppingCriteriaList
from transformers.generation.streamers import BaseStreamer

from service.text.postprocess import fix_spacing, generated_sentences, is_repeat
from service.text.sentences import split_sentences


class CancelledCriteria(StoppingCriteria):
    """Stops generate() at the next step once `event` is set."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        stop = torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device)
        return cast(torch.BoolTensor, stop)  # what transformers declares; torch.full is typed Tensor


class SentenceSplitter:
    """The text generated so far in, each sentence out once it is complete: what every
    streamed generation shares, whether its text comes from token ids decoded here or from
    an inference server's stream (service/engines/remote.py)."""

    def __init__(self, on_sentence: Callable[[str], None]) -> None:
        self.on_sentence = on_sentence
        self.sentences: list[str] = []  # what was sent, in order
        self._seen = 0  # sentences of the text so far that were complete (sent or dropped as repeats)

    def feed(self, text: str) -> None:
        """The whole text so far: send the sentences that became complete."""
        pieces = [s.text for s in split_sentences(fix_spacing(text))]
        # All but the last are complete: the splitter has seen the next one begin.
        for sentence in pieces[:-1][self._seen :]:
            self._emit(sentence)
        self._seen = max(self._seen, len(pieces) - 1)

    def finish(self, text: str) -> None:
        """The whole text at the end: flush what the non-streamed path would keep beyond what was sent."""
        for sentence in generated_sentences(text)[len(self.sentences) :]:
            self._emit(sentence)

    def _emit(self, sentence: str) -> None:
        if is_repeat(sentence, self.sentences):
            return
        self.sentences.append(sentence)
        self.on_sentence(sentence)


class SentenceStreamer(BaseStreamer, SentenceSplitter):
    """Calls `on_sentence(text)` for each completed sentence of one generated sequence."""

    def __init__(
        self,
        tokenizer: Any,
        on_sentence: Callable[[str], None],
        skip_prompt: bool = True,
        cancel: threading.Event | None = None,
    ) -> None:
        SentenceSplitter.__init__(self, on_sentence)
        self.tokenizer = tokenizer
        self.skip_prompt = skip_prompt
        self.cancel = cancel or threading.Event()
        self.token_ids: list[int] = []
        self._prompt_pending = skip_prompt

    def stopping_criteria(self) -> StoppingCriteriaList:
        """Pass to generate(stopping_criteria=…) so `cancel` stops the generation."""
        return StoppingCriteriaList([CancelledCriteria(self.cancel)])

    def put(self, value: torch.Tensor) -> None:
        if value.dim() > 1:
            if value.shape[0] != 1:
                raise ValueError("SentenceStreamer streams one sequence (batch size 1)")
            value = value[0]
        if self._prompt_pending:  # decoder-only: the prompt comes first; seq2seq: the start token
            self._prompt_pending = False
            return
        self.token_ids.extend(value.tolist())
        self.feed(self.tokenizer.decode(self.token_ids, skip_special_tokens=True))

    def end(self) -> None:
        self.finish(self.tokenizer.decode(self.token_ids, skip_special_tokens=True))

    @property
    def tokens(self) -> int:
        """Tokens generated so far (prompt excluded)."""
        return len(self.token_ids)


def stream_sentences(
    generate: Callable[[SentenceStreamer], Any],
    tokenizer: Any,
    cancel: threading.Event | None = None,
    max_pending: int = 8,
) -> Generator[str, None, None]:
    """Run `generate(streamer)` in a thread and yield its sentences as they complete.

    `generate` must call model.generate(…, streamer=streamer,
    stopping_criteria=streamer.stopping_criteria()). Closing the iterator (the client
    went away) sets `cancel`, so generation stops at its next step; at most `max_pending`
    sentences wait for a slow reader before generation waits too. An exception in
    generate() is raised here."""
    cancel = cancel or threading.Event()
    pending: queue.Queue[str] = queue.Queue(maxsize=max_pending)
    failure: list[BaseException] = []

    def deliver(sentence: str) -> None:
        while not cancel.is_set():  # a reader that left must not block the generation thread
            try:
                pending.put(sentence, timeout=0.1)
                return
            except queue.Full:
                continue

    def run() -> None:
        try:
            generate(SentenceStreamer(tokenizer, deliver, cancel=cancel))
        except BaseException as error:  # handed to the reader, who raises it
            failure.append(error)

    worker = threading.Thread(target=run, name="sentence-stream", daemon=True)
    worker.start()
    try:
        while True:
            try:
                sentence = pending.get(timeout=0.1)
            except queue.Empty:
                if worker.is_alive() or not pending.empty():
                    continue
                break
            yield sentence
        if failure:
            raise failure[0]
    finally:
        cancel.set()
        worker.join()
