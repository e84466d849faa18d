"""Generative engines are asked to answer in the article's language: the instruction, the
chat a job becomes, and the prompt SmolLM2's own tokenizer and chat template render from it."""

from __future__ import annotations

import pytest

from bench.server import REPO_ROOT
from service.domain.summary import Document, SummaryParams
from service.editorial.language import LANGUAGE_PROMPT_TOKENS, language_instruction
from service.editorial.purposes import POLICIES
from service.engines.generation import GenerationJob
from service.engines.instruct import SYSTEM_PROMPT, chat_messages
from service.text.language import LANGUAGES
from service.text.sentences import split_sentences

SMOLLM2 = REPO_ROOT / "models" / "smollm2-135m-instruct"
FRENCH = (
    "Le Conseil constitutionnel a validé jeudi l'essentiel de la réforme des retraites. "
    "Les syndicats ont appelé à une nouvelle journée de mobilisation le 6 juin."
)


def test_the_instruction_names_the_language() -> None:
    assert language_instruction("en") is None
    assert language_instruction("fr") == "Write your answer in French."
    assert "in German" in (language_instruction("de") or "")
    assert "in xx" in (language_instruction("xx") or "")  # a code the detector does not name


@pytest.mark.parametrize("purpose", list(POLICIES))
@pytest.mark.parametrize("final", [True, False])
def test_every_prompt_asks_for_the_articles_language(purpose: str, final: bool) -> None:
    job = GenerationJob(text=FRENCH, settings={}, final=final, sentences=2, purpose=purpose, language="fr")  # type: ignore[arg-type]
    system, user = chat_messages(job)
    assert system["role"] == "system" and system["content"].endswith(language_instruction("fr") or "")
    assert user["content"].endswith(FRENCH)


def test_an_english_article_gets_the_prompt_it_always_had() -> None:
    job = GenerationJob(text="The council met.", settings={}, final=True, sentences=3)
    [system, _] = chat_messages(job)
    assert job.language == "en"
    assert system["content"] == SYSTEM_PROMPT.format(sentences=3)


@pytest.fixture(scope="module")
def smollm2_tokenizer():
    from transformers import AutoTokenizer

    gguf = next(SMOLLM2.glob("*.gguf"), None)
    if gguf is None:
        pytest.skip("SmolLM2 is not prepared (python -m models.prepare smollm2-135m-instruct)")
    return AutoTokenizer.from_pretrained(SMOLLM2, gguf_file=gguf.name)


def test_smollm2_chat_template_carries_the_instruction_in_the_system_turn(smollm2_tokenizer) -> None:
    job = GenerationJob(text=FRENCH, settings={}, final=True, sentences=2, title="Retraites", language="fr")
    prompt = smollm2_tokenizer.apply_chat_template(chat_messages(job), add_generation_prompt=True, tokenize=False)
    system_turn = prompt.split("<|im_start|>system\n", 1)[1].split("<|im_end|>", 1)[0]
    user_turn = prompt.split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
    assert system_turn.endswith(language_instruction("fr") or "")
    assert user_turn == f"Retraites\n\n{FRENCH}"
    assert prompt.endswith("<|im_start|>assistant\n")
    # The instruction is a few tokens of the prompt, not of the article's share.
    english = GenerationJob(text=FRENCH, settings={}, final=True, sentences=2, title="Retraites")
    extra = len(smollm2_tokenizer(prompt)["input_ids"]) - len(
        smollm2_tokenizer(
            smollm2_tokenizer.apply_chat_template(chat_messages(english), add_generation_prompt=True, tokenize=False)
        )["input_ids"]
    )
    assert 0 < extra <= LANGUAGE_PROMPT_TOKENS


def test_every_instruction_fits_the_room_kept_for_it(smollm2_tokenizer) -> None:
    # A chunk's prompt keeps LANGUAGE_PROMPT_TOKENS free of article text for it.
    longest = max(
        len(smollm2_tokenizer(f" {language_instruction(code)}", add_special_tokens=False)["input_ids"])
        for code in LANGUAGES
        if code != "en"
    )
    assert 5 < longest <= LANGUAGE_PROMPT_TOKENS


class RecordingRunner:
    """The engine's own runner, with the jobs it was given kept for the test to read."""

    def __init__(self, runner) -> None:
        self.runner, self.jobs = runner, []

    def texts_per_call(self, num_beams):
        return self.runner.texts_per_call(num_beams)

    def run(self, jobs):
        self.jobs.extend(jobs)
        return self.runner.run(jobs)

    def stream(self, job, cancel):
        self.jobs.append(job)
        return self.runner.stream(job, cancel)


def test_an_instruct_engine_asks_every_pass_in_the_documents_language(tiny_models, load_tiny) -> None:
    # A Llama-style model with SmolLM2's tokenizer and chat template, and a context so small
    # that a French article is summarised in chunks first: every pass is asked in French, and
    # no prompt is cut (the room the instruction needs is kept free of article text).
    engine = load_tiny(tiny_models["llama"], max_new_tokens=32)
    engine.runner = RecordingRunner(engine.runner)
    text = " ".join([FRENCH] * 6)
    document = Document(text, split_sentences(text, "fr"), "Retraites", language="fr")
    [result] = engine.summarize([document], [SummaryParams(generation={"max_new_tokens": 8})])
    assert result.coverage.chunks > 1
    jobs = engine.runner.jobs
    assert any(not job.final for job in jobs) and any(job.final for job in jobs)
    for job in jobs:
        assert job.language == "fr"
        prompt = engine.tokenizer.apply_chat_template(chat_messages(job), add_generation_prompt=True, tokenize=False)
        assert language_instruction("fr") in prompt
        assert len(engine.tokenizer(prompt, add_special_tokens=False)["input_ids"]) <= engine.input_limit
    # A chunk packed to its budget still fits, whatever the language's name; an English
    # article is planned as it always was.
    for code in LANGUAGES:
        empty = GenerationJob(text="", settings={}, final=False, sentences=3, language=code)
        prompt = engine.tokenizer.apply_chat_template(chat_messages(empty), add_generation_prompt=True, tokenize=False)
        room = len(engine.tokenizer(prompt, add_special_tokens=False)["input_ids"])
        planner = engine._planner_for(Document("", [], language=code))
        assert room + planner.budgets.chunk <= engine.input_limit, code
        assert (planner is engine.planner) is (code == "en")
