"""What fine-tuning the embedded encoder would cost on this CPU, against its served pass.

    python -m bench.finetune_cost [--data ../shared/data/cnndm-train-large-cnn.jsonl.gz] [--stories 20] [--warmup 4]

BertSumExt's route to Lead-3 + 2.0 on CNN/DailyMail is an encoder fine-tuned on the task;
the shipped context models read frozen MiniLM vectors (docs/QUALITY.md, issue 26). This
times one training step a story (fp32 forward, backward and AdamW update, each sentence
mean-pooled at the served token cap, one logit a sentence) for the whole encoder and for its
top two layers only, beside the served encoder's own pass (SentenceEmbedder.embed) on the
same stories, in one run.
It measures cost only: nothing is trained, kept or compared for quality."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from bench.common import DATA_DIR, machine
from models.store import resolve
from service.calibration.archive import EMBEDDED, prepare, read_rows, served_encoder
from service.config import Settings
from service.engines.extractive import MAX_SENTENCE_TOKENS, SentenceEmbedder, mean_pooled

EPOCH_STORIES = 20_362  # the large CNN set: what one epoch of a `cnn` fit reads


def _per_story(step: Callable[[Any], object], stories: Sequence[Any], warmup: int) -> float:
    for story in stories[:warmup]:
        step(story)
    started = time.perf_counter()
    for story in stories[warmup:]:
        step(story)
    return (time.perf_counter() - started) / len(stories[warmup:])


def training_step(folder: Path, top_layers: int | None) -> Callable[[Any], None]:
    """One story's AdamW step on an fp32 copy of the encoder: every weight, or only the top layers'."""
    from transformers import AutoModel

    model = AutoModel.from_pretrained(folder).train()
    model.requires_grad_(top_layers is None)
    for layer in model.encoder.layer[-top_layers:] if top_layers else ():
        layer.requires_grad_(True)
    head = torch.nn.Linear(model.config.hidden_size, 1)
    tuned = [p for p in [*model.parameters(), *head.parameters()] if p.requires_grad]
    optimiser = torch.optim.AdamW(tuned, lr=2e-5)

    def step(encoded: Any) -> None:
        logits = head(mean_pooled(model(**encoded).last_hidden_state, encoded["attention_mask"]))[:, 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()

    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DATA_DIR / "cnndm-train-large-cnn.jsonl.gz",
        help="stories to time (pre-split sentences or text)",
    )
    parser.add_argument("--stories", type=int, default=20, help="stories timed after the warm-up")
    parser.add_argument("--warmup", type=int, default=4)
    args = parser.parse_args(argv)

    served, key = served_encoder()
    if not isinstance(served, SentenceEmbedder):
        parser.error(f"{EMBEDDED} is not an encoder here")
    folder = resolve(EMBEDDED, Settings().model_store).path
    pairs = prepare(read_rows(args.data, args.warmup + args.stories), split="paragraphs", workers=1)
    batches = [
        served.tokenizer(
            p.sentences, padding=True, truncation=True, max_length=MAX_SENTENCE_TOKENS, return_tensors="pt"
        )
        for p in pairs
    ]
    print(machine())
    capability = torch.backends.cpu.get_cpu_capability()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, kernels for {capability}")
    sentences = sum(len(p.sentences) for p in pairs) / len(pairs)
    tokens = sum(int(b["attention_mask"].sum()) for b in batches) / len(batches)
    print(f"{len(pairs)} stories of {args.data.name}: {sentences:.0f} sentences, {tokens:.0f} tokens a story")

    texts = [p.sentences for p in pairs]
    before = _per_story(served.embed, texts, args.warmup)
    full = _per_story(training_step(folder, None), batches, args.warmup)
    top = _per_story(training_step(folder, 2), batches, args.warmup)
    after = _per_story(served.embed, texts, args.warmup)
    forward = (before + after) / 2
    print(f"served forward pass ({key}): {forward:.3f} s a story (before {before:.3f}, after {after:.3f})")
    for name, seconds in (("whole encoder", full), ("top two layers", top)):
        hours = seconds * EPOCH_STORIES / 3600
        print(
            f"training step, {name}: {seconds:.3f} s a story, {seconds / forward:.1f}x the served pass; "
            f"one epoch over {EPOCH_STORIES:,} stories {hours:.1f} h"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
