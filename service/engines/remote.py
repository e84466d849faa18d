"""Generation on an OpenAI-compatible inference server (engine `openai-compatible`): vLLM,
llama.cpp's server, Ollama or TGI runs the model; Précis stays the newsroom layer in front.

`RemoteEngine` is a model adapter beside the in-process ones: the steps around the model
(focus, chunk planning, purposes and the firmer retry, the editorial step after, streaming
checked sentences) are GenerativeEngine's own, and the prompts are the instruct engine's
chat (service/engines/instruct.py). Only the runner differs: each generation is one chat
completion, sent concurrently up to GENERATION_CONCURRENCY and batched by the server. So
there is no micro-batching here (`micro_batch = False`: the serving layer sends each
article on as it comes).

Chunk planning needs the server's limits without its tokenizer: the context window comes
from GENERATION_CONTEXT_TOKENS, else from the server (vLLM's max_model_len, llama.cpp's
n_ctx), else 2048; tokens are estimated from characters at CHARS_PER_TOKEN, a cautious
rate (English averages about 4 characters a token for these tokenizers), so that a plan
never overflows the server's context."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import replace
from typing import Any

from service.domain.summary import Document, ModelInfo, SummaryParams
from service.engines.chunking import ChunkPlanner, TextBudgets
from service.engines.generation import CHUNK_SUMMARY_SENTENCES, GenerateSettings, GenerationJob, GenerationLimits
from service.engines.generative import GenerativeEngine
from service.engines.instruct import EXTRA_PROMPT_TOKENS, chat_messages
from service.engines.openai_client import OpenAIServer
from service.engines.streaming import SentenceSplitter
from service.exceptions import UpstreamError

log = logging.getLogger(__name__)

ENGINE_KIND = "openai-compatible"
CHARS_PER_TOKEN = 3.0
DEFAULT_CONTEXT_TOKENS = 2048
# Tokens of chat template around each message (role markers, separators) on the server's side.
TEMPLATE_TOKENS_PER_MESSAGE = 8
# Of a request's `generation` options, those a chat completion carries (the rest are beam-search knobs).
APPLIED_SETTINGS = ("num_beams", "max_new_tokens", "repetition_penalty")


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def context_tokens(models: Sequence[dict[str, Any]], model_id: str) -> int | None:
    """The context window a server reports for its model: vLLM's max_model_len, llama.cpp's meta.n_ctx_train."""
    for entry in models:
        if entry.get("id") != model_id:
            continue
        meta = entry.get("meta") or {}
        for value in (entry.get("max_model_len"), meta.get("n_ctx"), meta.get("n_ctx_train")):
            if isinstance(value, int) and value > 0:
                return value
    return None


class RemoteRunner:
    """GenerationJobs as chat completions on the server (the Runner of service/engines/generation.py)."""

    def __init__(self, server: OpenAIServer, model_id: str) -> None:
        self.server = server
        self.model_id = model_id

    def texts_per_call(self, num_beams: int | None) -> int:
        return self.server.config.concurrency

    def body(self, job: GenerationJob) -> dict[str, Any]:
        """Greedy, as in process: the most faithful setting for a small model, and reproducible."""
        settings = job.settings
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": chat_messages(job),
            "max_tokens": int(settings["max_new_tokens"]),
            "temperature": 0.0,
        }
        if settings.get("repetition_penalty") is not None:  # vLLM's and llama.cpp's name for it
            body["repetition_penalty"] = settings["repetition_penalty"]
        return body

    def run(self, jobs: Sequence[GenerationJob]) -> list[str]:
        """Every job at once, up to the server client's concurrency; the first fault fails the call."""
        if len(jobs) <= 1:  # none (no firmer retry was needed) or one: no thread pool
            return [self.server.complete(self.body(job)).text for job in jobs]
        with ThreadPoolExecutor(max_workers=min(len(jobs), self.server.config.concurrency)) as pool:
            return list(pool.map(lambda job: self.server.complete(self.body(job)).text, jobs))

    def stream(self, job: GenerationJob, cancel: threading.Event) -> Generator[str, None, None]:
        """The job's sentences as the server's stream completes them; closing this generator
        closes the server's stream, which stops its generation."""
        complete: list[str] = []
        splitter = SentenceSplitter(complete.append)
        text = ""
        with closing(self.server.stream(self.body(job), cancel)) as deltas:
            for delta in deltas:
                text += delta
                splitter.feed(text)
                while complete:
                    yield complete.pop(0)
        splitter.finish(text)
        yield from complete


class RemoteEngine(GenerativeEngine):
    engine_name = ENGINE_KIND
    focus_in_prompt = True  # an instruct model on the server reads the focus in its prompt
    batch_wait_ms = 0
    micro_batch = False  # the server batches: each article goes to it as it comes

    # No weights, no tokenizer here: GenerativeEngine's in-process set-up is replaced, its steps kept.
    def __init__(
        self, info: ModelInfo, limits: GenerationLimits, server: OpenAIServer, model_id: str, context: int
    ) -> None:
        self.limits = replace(limits, max_beams=1)  # a chat completion is one greedy sequence
        self.server = server
        self.runner = RemoteRunner(server, model_id)
        self.defaults: GenerateSettings = {"num_beams": 1, "max_new_tokens": self.limits.max_new_tokens}
        # The generated tokens share the context window with the prompt.
        self.input_limit = min(context - min(self.limits.max_new_tokens, context // 2), limits.max_input_tokens)
        final, chunk = (max(16, self.input_limit - self._overhead_tokens(final)) for final in (True, False))
        self.planner = ChunkPlanner(self.count_tokens, TextBudgets(final=final, chunk=chunk))
        self._chunk_generation = self.generation_settings(SummaryParams(max_sentences=CHUNK_SUMMARY_SENTENCES))
        self.info = replace(
            info,
            id=model_id,
            engine=ENGINE_KIND,
            precision="server",
            device="remote",
            host=server.config.host,
            settings={
                "input_limit": self.input_limit,
                "context_tokens": context,
                "generation": self.defaults,
                "limits": vars(self.limits),
                "concurrency": server.config.concurrency,
                "host": server.config.host,
            },
        )

    def generation_settings(self, params: SummaryParams) -> GenerateSettings:
        """The settings a chat completion applies, and only those: they are reported with the summary."""
        settings = super().generation_settings(params)
        return {key: value for key, value in settings.items() if key in APPLIED_SETTINGS}

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [estimate_tokens(text) for text in texts]

    def _overhead_tokens(self, final: bool) -> int:
        empty = chat_messages(GenerationJob(text="", settings={}, final=final, sentences=10))
        prompt = sum(estimate_tokens(m["content"]) + TEMPLATE_TOKENS_PER_MESSAGE for m in empty)
        # Room for a headline line, a focus and a purpose's task too.
        return prompt + (32 + EXTRA_PROMPT_TOKENS if final else 0)

    def upstream(self) -> dict[str, Any]:
        """The server's state for /readyz: an outage there is reported, never made a 503 there."""
        problem = self.server.probe()
        return {"host": self.server.config.host, "reachable": problem is None, "detail": problem}

    def warm_up(self) -> None:
        """One tiny completion, when the server answers; a server that is down now is not
        a reason to refuse to start (requests answer 503 until it is back)."""
        try:
            self.summarize(
                [Document("Warm-up text for the model.", [])], [SummaryParams(generation={"max_new_tokens": 2})]
            )
        except UpstreamError as exc:
            log.warning("inference server not answering at start: %s", exc.detail)


def load_remote(
    info: ModelInfo, limits: GenerationLimits, server: OpenAIServer, model_id: str, context: int
) -> RemoteEngine:
    """The engine for `model_id` on `server`; `context`: its context window (0: asked from the
    server). A server that is down at start does not stop Précis from starting."""
    if not context:
        try:
            context = context_tokens(server.models(), model_id) or DEFAULT_CONTEXT_TOKENS
        except UpstreamError as exc:
            log.warning(
                "inference server not answering at start (%s); context window %d", exc.detail, DEFAULT_CONTEXT_TOKENS
            )
            context = DEFAULT_CONTEXT_TOKENS
    return RemoteEngine(info, limits, server, model_id, context)
