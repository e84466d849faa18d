"""Instruction-tuned chat models (decoder-only), prompted through the tokenizer's chat
template and decoded greedily. Loads safetensors folders and GGUF files alike (GGUF is
de-quantised to fp32 by transformers, with the `gguf` package)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from service.domain.summary import ModelInfo
from service.editorial.focus import focus_instruction
from service.editorial.language import language_instruction
from service.editorial.purposes import policy
from service.engines.generation import GenerateSettings, GenerationJob, GenerationLimits, ModelInputs
from service.engines.generative import GenerativeEngine

# A purpose's prompt (service/editorial/purposes.py): its own task instead of the sentence count.
PURPOSE_PROMPT = (
    "You are a careful news editor. {task} Use only facts stated in the article: never add names, numbers or "
    "quotes that are not in it."
)
# Prompt tokens a focus and a purpose's task may add to the final pass, kept free of article text.
EXTRA_PROMPT_TOKENS = 96

SYSTEM_PROMPT = (
    "You are a careful news editor. Summarise the news article the user gives you in at most "
    "{sentences} sentences. Use only facts stated in the article: never add names, numbers or "
    "quotes that are not in it. Write plain prose and reply with the summary only."
)
CHUNK_PROMPT = (
    "You are a careful news editor. The user gives you one part of a longer news article. "
    "Summarise this part in at most {sentences} sentences, using only facts stated in it. "
    "Reply with the summary only."
)


def chat_messages(job: GenerationJob) -> list[dict[str, str]]:
    """The chat a job is asked as: in-process through the tokenizer's chat template, or sent
    to an inference server as it is (service/engines/remote.py)."""
    system = (SYSTEM_PROMPT if job.final else CHUNK_PROMPT).format(sentences=job.sentences)
    # A purpose's own task; its retry, after an answer over the budget, asks more firmly.
    task = policy(job.purpose).task(firmer=job.firmer) if job.final else None
    if task is not None:
        system = PURPOSE_PROMPT.format(task=task)
    if job.final and job.focus:
        system = f"{system} {focus_instruction(job.focus)}"
    if instruction := language_instruction(job.language):  # an article not in English: answer in its language
        system = f"{system} {instruction}"
    body = f"{job.title}\n\n{job.text}" if job.title and job.final else job.text
    return [{"role": "system", "content": system}, {"role": "user", "content": body}]


class InstructEngine(GenerativeEngine):
    engine_name = "instruct"
    focus_in_prompt = True

    def __init__(
        self,
        path: Path,
        info: ModelInfo,
        limits: GenerationLimits,
        precision: str = "off",
        gguf_file: str | None = None,
    ) -> None:
        extra = {"gguf_file": gguf_file} if gguf_file else {}
        tokenizer = AutoTokenizer.from_pretrained(path, **extra)
        tokenizer.padding_side = "left"  # decoder-only: prompts must end where generation starts
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, **extra)
        super().__init__(info, limits, tokenizer, model, precision)

    def _default_generation(self) -> GenerateSettings:
        # Greedy: the most faithful setting for a small model, and reproducible.
        return {"num_beams": 1, "max_new_tokens": self.limits.max_new_tokens, "repetition_penalty": 1.1}

    def _model_input_limit(self) -> int:
        positions = int(getattr(self.model.config, "max_position_embeddings", 2048) or 2048)
        # The generated tokens share the context window with the prompt.
        return positions - min(self.limits.max_new_tokens, positions // 2)

    def _prompt(self, job: GenerationJob) -> str:
        return self.tokenizer.apply_chat_template(chat_messages(job), add_generation_prompt=True, tokenize=False)

    def _overhead_tokens(self, final: bool) -> int:
        empty = self._prompt(GenerationJob(text="", settings={}, final=final, sentences=10))
        # Room for a headline line, a focus and a purpose's task too.
        return self.count_tokens([empty])[0] + (32 + EXTRA_PROMPT_TOKENS if final else 0)

    def _encode(self, jobs: Sequence[GenerationJob]) -> ModelInputs:
        return self.tokenizer(
            [self._prompt(job) for job in jobs],
            padding=True,
            truncation=True,
            max_length=self.input_limit,
            add_special_tokens=False,  # the chat template already has them
            return_tensors="pt",
        )

    def _decode(self, outputs: torch.Tensor, inputs: ModelInputs) -> list[str]:
        generated = outputs[:, inputs["input_ids"].shape[1] :]
        return self.tokenizer.batch_decode(generated, skip_special_tokens=True)
