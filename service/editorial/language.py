"""What a generative model is told about the article's language: to answer in it.

Small instruct models answer in English by habit whatever the article's language; a
summary, a key point or a post in a language other than the article's is of no use to
its newsroom. English articles get no instruction (their prompts stay as they were)."""

from __future__ import annotations

from service.text.language import LANGUAGES

# Short: every chunk's prompt keeps room for it, which a small model's context can ill spare.
LANGUAGE_INSTRUCTION = "Write your answer in {name}."
# Prompt tokens the instruction may add (at most 8 with SmolLM2's tokenizer; 13 by an inference
# server's estimate of 3 characters a token, the longest being 37): kept free of article text.
LANGUAGE_PROMPT_TOKENS = 14


def language_instruction(code: str) -> str | None:
    """The sentence appended to a generative model's instructions for an article in this
    language (ISO 639-1); None for English. A code without a name is named by its code."""
    if code == "en":
        return None
    return LANGUAGE_INSTRUCTION.format(name=LANGUAGES.get(code, code))
