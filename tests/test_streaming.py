"""Sentence streaming with the real SmolLM2-135M-Instruct (GGUF from its PyPI package):
the streamed sentences are the non-streamed greedy output's sentences, and cancelling
stops the generation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch

from service.engines.streaming import CancelledCriteria, SentenceStreamer, stream_sentences
from service.text.postprocess import generated_sentences

MODEL = Path(__file__).resolve().parent.parent / "models" / "smollm2-135m-instruct"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
ARTICLE = (
    "Negotiators from North Korea and China met for talks in Beijing yesterday aimed at improving their damaged "
    "relationship, just days after the North made a surprise call for dialogue with the US. Tensions ran high "
    "earlier this year when the North threatened to wage nuclear war on the US and South Korea, but there have "
    "been tentative signs of an easing in recent weeks. China is North Korea's most important ally, and the two "
    "countries are described as being as close as lips and teeth, both having fought on the same side in the "
    "Korean War."
)
SETTINGS = {"do_sample": False, "num_beams": 1, "max_new_tokens": 72, "repetition_penalty": 1.1}


@pytest.fixture(scope="module")
def smollm2():
    if not (MODEL / GGUF).is_file():
        pytest.skip("run `python -m models.prepare smollm2-135m-instruct` first")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(MODEL, gguf_file=GGUF)
    model = AutoModelForCausalLM.from_pretrained(MODEL, gguf_file=GGUF, dtype=torch.float32).eval()
    messages = [
        {"role": "system", "content": "Summarise the news article the user gives you in three sentences."},
        {"role": "user", "content": ARTICLE},
    ]
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    inputs = tokenizer(prompt, add_special_tokens=False, return_tensors="pt")
    return tokenizer, model, inputs


def _generate(model, inputs, **extra):
    with torch.inference_mode():
        return model.generate(**inputs, **SETTINGS, pad_token_id=model.config.eos_token_id, **extra)


@pytest.fixture(scope="module")
def reference(smollm2) -> tuple[list[str], int]:
    """The non-streamed greedy output's sentences, and its length in tokens."""
    tokenizer, model, inputs = smollm2
    output = _generate(model, inputs)[0, inputs["input_ids"].shape[1] :]
    return generated_sentences(tokenizer.decode(output, skip_special_tokens=True)), len(output)


def test_streamed_sentences_are_the_generated_sentences(smollm2, reference) -> None:
    tokenizer, model, inputs = smollm2
    sentences, tokens = reference
    assert len(sentences) >= 2  # the comparison means something
    received: list[tuple[str, int]] = []
    streamer = SentenceStreamer(tokenizer, lambda s: received.append((s, streamer.tokens)))
    _generate(model, inputs, streamer=streamer, stopping_criteria=streamer.stopping_criteria())
    assert [s for s, _ in received] == sentences
    assert streamer.tokens == tokens
    # Sentences arrived while generating, not all at the end.
    assert received[0][1] < tokens


def test_cancelling_stops_the_generation(smollm2, reference) -> None:
    tokenizer, model, inputs = smollm2
    first: list[int] = []

    def on_sentence(sentence: str) -> None:
        first.append(streamer.tokens)
        streamer.cancel.set()  # the client went away after the first sentence

    streamer = SentenceStreamer(tokenizer, on_sentence)
    _generate(model, inputs, streamer=streamer, stopping_criteria=streamer.stopping_criteria())
    assert streamer.sentences == reference[0][:1]
    # Stopped at the very next step, well before the full output's end.
    assert streamer.tokens <= first[0] + 1 < reference[1]


def test_closed_stream_stops_the_generation_thread(smollm2, reference) -> None:
    tokenizer, model, inputs = smollm2
    cancel = threading.Event()
    seen: list[SentenceStreamer] = []

    def generate(streamer: SentenceStreamer) -> None:
        seen.append(streamer)
        _generate(model, inputs, streamer=streamer, stopping_criteria=streamer.stopping_criteria())

    stream = stream_sentences(generate, tokenizer, cancel=cancel, max_pending=1)
    assert next(stream) == reference[0][0]
    stream.close()  # what the server does when the SSE client disconnects
    assert cancel.is_set() and seen[0].tokens < reference[1]
    # And read to the end, the stream gives every sentence.
    assert list(stream_sentences(generate, tokenizer)) == reference[0]


def test_stream_raises_what_generate_raised(smollm2) -> None:
    tokenizer, _, _ = smollm2

    def broken(streamer: SentenceStreamer) -> None:
        raise RuntimeError("out of memory")

    with pytest.raises(RuntimeError, match="out of memory"):
        list(stream_sentences(broken, tokenizer))


def test_one_sequence_only(smollm2) -> None:
    tokenizer, _, _ = smollm2
    streamer = SentenceStreamer(tokenizer, print, skip_prompt=False)
    with pytest.raises(ValueError, match="batch size 1"):
        streamer.put(torch.zeros((2, 1), dtype=torch.long))


def test_cancelled_criteria_reads_the_event() -> None:
    event = threading.Event()
    criteria = CancelledCriteria(event)
    ids = torch.zeros((1, 4), dtype=torch.long)
    assert not bool(criteria(ids, None)[0])
    event.set()
    assert bool(criteria(ids, None)[0])
