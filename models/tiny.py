"""Small models with real architectures and random weights, built locally (no hub).

Their tokenizers are real: BPE and Unigram vocabularies trained with `tokenizers` on the
seed article, or SmolLM2's own tokenizer (with its chat template) from the installed GGUF,
saved with `save_pretrained`. Their summaries are noise; what they test is the machinery:
loading, batching, chunking, caps, provenance. Also used by bench/ for timing a
distilbart-cnn-12-6-shaped model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from tokenizers import ByteLevelBPETokenizer, SentencePieceUnigramTokenizer
from transformers import (
    AutoTokenizer,
    BartConfig,
    BartForConditionalGeneration,
    LlamaConfig,
    LlamaForCausalLM,
    RobertaTokenizer,
    T5Config,
    T5ForConditionalGeneration,
    T5Tokenizer,
)

from models.prepare import sha256_of
from models.store import PROVENANCE_FILE

REPO_ROOT = Path(__file__).resolve().parent.parent

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "seeds").glob("*.txt"))]
SMOLLM2_DIR = REPO_ROOT / "models" / "smollm2-135m-instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
# What sshleifer/distilbart-cnn-12-6's config.json says.
DISTILBART_CNN_12_6: dict[str, Any] = dict(
    vocab_size=50264,
    d_model=1024,
    encoder_layers=12,
    decoder_layers=6,
    encoder_attention_heads=16,
    decoder_attention_heads=16,
    encoder_ffn_dim=4096,
    decoder_ffn_dim=4096,
    max_position_embeddings=1024,
    task_specific_params={
        "summarization": {
            "early_stopping": True,
            "length_penalty": 2.0,
            "max_length": 142,
            "min_length": 56,
            "no_repeat_ngram_size": 3,
            "num_beams": 4,
        }
    },
)


def _write_provenance(path: Path, engine: str, hub_id: str) -> None:
    weights = {w.name: f"sha256:{sha256_of(w)}" for w in sorted(path.glob("*.safetensors"))}
    provenance = {
        "source": "built locally with random weights (tests)",
        "engine": engine,
        "hub_id": hub_id,
        "weights": weights,
    }
    (path / PROVENANCE_FILE).write_text(json.dumps(provenance), encoding="utf-8")


def bpe_tokenizer(vocab_size: int = 800) -> RobertaTokenizer:
    """BART's byte-level BPE, trained on the seeds."""
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        SEED_TEXTS, vocab_size=vocab_size, min_frequency=1, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    )
    merges = [tuple(m) for m in json.loads(bpe.to_str())["model"]["merges"]]
    # transformers annotates merges as list[str], but hands them to tokenizers' BPE, which takes (a, b) pairs.
    return RobertaTokenizer(vocab=bpe.get_vocab(), merges=merges)  # type: ignore[arg-type]


def unigram_tokenizer(vocab_size: int = 500) -> T5Tokenizer:
    """T5's Unigram (SentencePiece-style) vocabulary, trained on the seeds."""
    unigram = SentencePieceUnigramTokenizer()
    unigram.train_from_iterator(
        SEED_TEXTS, vocab_size=vocab_size, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>"
    )
    vocab = [tuple(v) for v in json.loads(unigram.to_str())["model"]["vocab"]]
    return T5Tokenizer(vocab=vocab, extra_ids=0)


def build_bart(path: Path, max_positions: int = 64, seed: int = 0, **config: object) -> Path:
    torch.manual_seed(seed)
    tokenizer = bpe_tokenizer()
    settings: dict[str, Any] = dict(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_bos_token_id=None,
        task_specific_params={
            "summarization": {
                "num_beams": 2,
                "length_penalty": 2.0,
                "max_length": 24,
                "min_length": 4,
                "no_repeat_ngram_size": 3,
                "early_stopping": True,
            }
        },
    )
    settings.update(config)
    model = BartForConditionalGeneration(BartConfig(**settings)).eval()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    _write_provenance(path, "seq2seq", "local/tiny-bart")
    return path


def build_distilbart_shaped(path: Path) -> Path:
    """distilbart-cnn-12-6's exact shape (about 306 M parameters), random weights."""
    return build_bart(path, **DISTILBART_CNN_12_6)


def build_t5(path: Path, seed: int = 0) -> Path:
    torch.manual_seed(seed)
    tokenizer = unigram_tokenizer()
    # Not fields of T5Config: its base class takes them as extra keyword arguments.
    generation: dict[str, Any] = dict(
        decoder_start_token_id=tokenizer.pad_token_id,
        task_specific_params={
            "summarization": {
                "prefix": "summarize: ",
                "max_length": 20,
                "min_length": 4,
                "num_beams": 2,
                "no_repeat_ngram_size": 3,
            }
        },
    )
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=8,
        d_ff=64,
        num_layers=1,
        num_decoder_layers=1,
        num_heads=2,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        **generation,
    )
    T5ForConditionalGeneration(config).eval().save_pretrained(path)
    tokenizer.model_max_length = 64  # what a relative-position model reads at most
    tokenizer.save_pretrained(path)
    _write_provenance(path, "seq2seq", "local/tiny-t5")
    return path


def build_llama(path: Path, max_positions: int = 160, seed: int = 0) -> Path:
    """A Llama-style decoder with SmolLM2's real tokenizer and chat template."""
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(SMOLLM2_DIR, gguf_file=SMOLLM2_GGUF)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=max_positions,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    LlamaForCausalLM(config).eval().save_pretrained(path)
    tokenizer.save_pretrained(path)
    _write_provenance(path, "instruct", "local/tiny-llama")
    return path
