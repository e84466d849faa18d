"""Encoder-decoder summarisers (BART, PEGASUS, T5, …) from a hub id or a local folder.

Generation defaults come from the checkpoint itself: its generation config, overlaid by
`task_specific_params["summarization"]` (beams, length penalty, lengths, n-gram blocking,
and T5's "summarize: " prefix)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from service.domain.summary import ModelInfo
from service.engines.generation import GenerateSettings, GenerationJob, GenerationLimits, ModelInputs
from service.engines.generative import GenerativeEngine

_GENERATION_KEYS = ("num_beams", "length_penalty", "no_repeat_ngram_size", "early_stopping", "repetition_penalty")
# Relative-position models (T5) have no max_position_embeddings; they were trained at 512.
_DEFAULT_INPUT_LIMIT = 512


class Seq2SeqEngine(GenerativeEngine):
    engine_name = "seq2seq"

    def __init__(self, path: Path, info: ModelInfo, limits: GenerationLimits, precision: str = "off") -> None:
        tokenizer = AutoTokenizer.from_pretrained(path)
        tokenizer.padding_side = "right"  # encoder inputs: pad after the text
        model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch.float32)
        task = (getattr(model.config, "task_specific_params", None) or {}).get("summarization", {})
        self.prefix: str = task.get("prefix", "") or ""
        self._task = task
        super().__init__(info, limits, tokenizer, model, precision)

    def _default_generation(self) -> GenerateSettings:
        generation = self.model.generation_config.to_dict()
        merged = {**generation, **self._task}
        settings: dict[str, Any] = {k: merged[k] for k in _GENERATION_KEYS if merged.get(k) is not None}
        if merged.get("max_length"):
            settings["max_new_tokens"] = int(merged["max_length"])
        if merged.get("min_length"):
            settings["min_new_tokens"] = int(merged["min_length"])
        settings.setdefault("num_beams", 1)
        return settings

    def _model_input_limit(self) -> int:
        positions = getattr(self.model.config, "max_position_embeddings", None)
        if positions:
            return int(positions)
        tokenizer_limit = getattr(self.tokenizer, "model_max_length", None) or 0
        return int(tokenizer_limit) if 0 < tokenizer_limit < 100_000 else _DEFAULT_INPUT_LIMIT

    def _overhead_tokens(self, final: bool) -> int:
        prefix = self.count_tokens([self.prefix])[0] if self.prefix else 0
        return prefix + self.tokenizer.num_special_tokens_to_add(pair=False)

    def _encode(self, jobs: Sequence[GenerationJob]) -> ModelInputs:
        return self.tokenizer(
            [self.prefix + job.text for job in jobs],
            padding=True,
            truncation=True,
            max_length=self.input_limit,
            return_tensors="pt",
        )

    def _decode(self, outputs: torch.Tensor, inputs: ModelInputs) -> list[str]:
        return self.tokenizer.batch_decode(outputs, skip_special_tokens=True)
