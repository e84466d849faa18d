"""Request and response schemas of API v1 (pydantic: validation and, later, OpenAPI)."""

from __future__ import annotations

from itertools import combinations
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from service.domain.summary import ModelInfo, Overflow, Purpose
from service.editorial.purposes import describe, policy
from service.engines.device import dtype_name
from service.text.titles import TitleSource

# The request's vocabulary, declared once for the schema, the CLI and the use case.
Length = Literal["short", "medium", "long"]
LENGTH_PRESETS: dict[str, int] = {"short": 2, "medium": 3, "long": 5}
Layout = Literal["paragraph", "bullets"]
LanguageMode = Literal["auto", "force"]
DEFAULT_LENGTH = "medium"
LENGTH_OPTIONS = ("length", "max_sentences", "max_words", "max_chars")

# A request's rules across fields, stated in its JSON Schema as the validator below enforces
# them (null counts as absent), so that a client generated from the OpenAPI document sends
# valid requests. What JSON Schema cannot state is said in the document's description.
_SET = {"not": {"type": "null"}}
ONE_ARTICLE: list[Any] = [  # JSON Schema fragments
    {"required": [field], "properties": {field: {"type": "string"}}} for field in ("text", "html")
]
OPTION_RULES: list[Any] = [
    {
        "description": "At most one of length, max_sentences, max_words and max_chars.",
        "not": {
            "anyOf": [
                {"required": [a, b], "properties": {a: _SET, b: _SET}} for a, b in combinations(LENGTH_OPTIONS, 2)
            ]
        },
    },
    {
        "description": "A newsroom purpose sets its own length and layout: no length option, format or include_title.",
        "if": {"required": ["purpose"], "properties": {"purpose": {"not": {"const": "summary"}}}},
        "then": {
            "properties": {
                **{name: {"type": "null"} for name in LENGTH_OPTIONS},
                "format": {"const": "paragraph"},
                "include_title": {"const": False},
            }
        },
    },
]
_NOT_BLANK = {"pattern": r"\S"}  # the article is not empty or whitespace only
_EXAMPLE = (
    "The city council approved the new budget on Tuesday after a long debate. It raises spending on "
    "schools and roads, and the mayor said taxes would not rise this year."
)


def over_cap(size: int | None, info: ValidationInfo, key: str) -> int | None:
    """The deployment cap `key` (passed in the validation context by service.api) when
    `size` exceeds it, else None."""
    cap = (info.context or {}).get(key)
    return cap if size is not None and cap is not None and size > cap else None


class GenerationOptions(BaseModel):
    """Overrides of the checkpoint's generation settings (abstractive models only)."""

    model_config = ConfigDict(extra="forbid")

    num_beams: int | None = Field(None, ge=1, le=8, description="Beam width; 1 is greedy.")
    max_new_tokens: int | None = Field(None, ge=1, description="Tokens to generate at most (capped by MAX_NEW_TOKENS).")
    min_new_tokens: int | None = Field(None, ge=0, description="Tokens to generate at least.")
    length_penalty: float | None = Field(None, ge=0.0, le=5.0, description="Beam search length penalty.")
    no_repeat_ngram_size: int | None = Field(None, ge=0, le=10, description="Never repeat an n-gram of this size.")
    repetition_penalty: float | None = Field(None, ge=1.0, le=2.0, description="Penalty on repeated tokens.")

    @field_validator("max_new_tokens")
    @classmethod
    def _within_token_cap(cls, value: int | None, info: ValidationInfo) -> int | None:
        if cap := over_cap(value, info, "max_new_tokens"):
            raise ValueError(f"max_new_tokens may be at most {cap}")
        return value


class SummarizeRequest(BaseModel):
    """An article as `text` or `html` (exactly one), with length and format options."""

    model_config = ConfigDict(
        extra="forbid",
        # The article rule inside allOf, beside the others: the same constraint, and a generated client
        # (openapi-python-client) builds one model with every field, not a model per oneOf branch.
        json_schema_extra={"allOf": [{"oneOf": ONE_ARTICLE}, *OPTION_RULES]},
    )

    text: str | None = Field(
        None,
        min_length=1,
        description="The article as plain text.",
        json_schema_extra={**_NOT_BLANK, "examples": [_EXAMPLE]},
    )
    html: str | None = Field(
        None,
        min_length=1,
        description="The article as an HTML page or fragment.",
        json_schema_extra={**_NOT_BLANK, "examples": [f"<article><h1>Budget approved</h1><p>{_EXAMPLE}</p></article>"]},
    )
    title: str | None = Field(None, max_length=1000, description="Headline; guides ranking, never returned.")
    length: Length | None = Field(None, description="Preset length: short = 2, medium = 3, long = 5 sentences.")
    max_sentences: int | None = Field(None, ge=1, description="At most this many sentences.")
    max_words: int | None = Field(None, ge=5, le=5000, description="At most this many words.")
    max_chars: int | None = Field(None, ge=20, le=50000, description="At most this many characters.")
    format: Layout = Field("paragraph", description="How `summary` is laid out.")
    overflow: Overflow = Field(
        "chunk",
        description="Article over the model's input limit: summarise it in chunks, keep the lead that fits, "
        "or answer 422.",
    )
    strict: bool = Field(False, description="Drop generated sentences with unsupported names, numbers or quotes.")
    generation: GenerationOptions | None = Field(None, description="Generation overrides (abstractive models).")
    include_title: bool = Field(False, description="Start the summary with the headline (given or found).")
    include_text: bool = Field(False, description="Return the cleaned article the spans refer to.")
    focus: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="What the summary should be about (e.g. `the economy`): sentences unrelated to it are not "
        "returned; `focus_matched: false` when nothing in the article relates to it.",
    )
    purpose: Purpose = Field(
        "summary",
        description=f"What the summary is for: {describe()}. Every purpose but `summary` sets its own length.",
    )
    stream: bool = Field(
        False, description="Answer with server-sent events: each sentence once checked, then `done` (or `error`)."
    )
    language: LanguageMode = Field(
        "auto",
        description="`auto`: detect the article's language, clean, split and rank by its rules, and answer 422 "
        "`unsupported-language` only when the model cannot summarise it (a generative model that reads English "
        "only; the extractive default ranks any language, `input.ranking`); `force`: summarise whatever the "
        "language (still reported).",
    )

    @field_validator("text", "html")
    @classmethod
    def _within_text_cap(cls, value: str | None, info: ValidationInfo) -> str | None:
        if cap := over_cap(len(value) if value is not None else None, info, "max_text_chars"):
            raise ValueError(f"the article has {len(value or '')} characters; this server accepts at most {cap}")
        return value

    @field_validator("max_sentences")
    @classmethod
    def _within_sentence_cap(cls, value: int | None, info: ValidationInfo) -> int | None:
        if cap := over_cap(value, info, "max_summary_sentences"):
            raise ValueError(f"max_sentences may be at most {cap}")
        return value

    @model_validator(mode="after")
    def _one_source_one_length(self) -> SummarizeRequest:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of 'text' or 'html'")
        lengths = sum(x is not None for x in (self.length, self.max_sentences, self.max_words, self.max_chars))
        if lengths > 1:
            raise ValueError("give at most one of 'length', 'max_sentences', 'max_words' or 'max_chars'")
        if policy(self.purpose).budgeted and (lengths or self.include_title or self.format != "paragraph"):
            raise ValueError(
                f"purpose {self.purpose!r} sets its own length and layout: leave out length, max_*, "
                "format and include_title"
            )
        source = self.text if self.text is not None else self.html
        if not source or not source.strip():
            raise ValueError("the article is empty or whitespace only")
        return self

    @property
    def source_field(self) -> str:
        return "text" if self.text is not None else "html"


class SupportOut(BaseModel):
    index: int = Field(description="The article sentence's position, from 0.")
    start: int = Field(description="Its start offset in the cleaned article.")
    end: int = Field(description="Its end offset (exclusive) in the cleaned article.")
    score: float = Field(description="Share of the summary sentence's content words found in it.")


class FlagOut(BaseModel):
    text: str
    kind: Literal["number", "entity", "quote"]


class BatchItem(SummarizeRequest):
    """One article of a batch: a summarize request with the caller's own id."""

    id: str = Field(min_length=1, max_length=200, description="The caller's id, echoed in the result.")

    @field_validator("stream")
    @classmethod
    def _not_streamed(cls, value: bool) -> bool:
        if value:
            raise ValueError("stream applies to POST /v1/summarize only; a batch or job item is answered whole")
        return value


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Items stay raw here: each is validated on its own, so one bad item fails alone.
    items: list[Any] = Field(min_length=1, description="Articles, each a BatchItem.")

    @field_validator("items")
    @classmethod
    def _within_batch_cap(cls, value: list[Any], info: ValidationInfo) -> list[Any]:
        if cap := over_cap(len(value), info, "max_batch_items"):
            raise ValueError(f"a batch holds at most {cap} items, got {len(value)}")
        return value


class SentenceOut(BaseModel):
    text: str
    start: int | None = Field(None, description="Extractive: start offset in the cleaned article.")
    end: int | None = Field(None, description="Extractive: end offset (exclusive) in the cleaned article.")
    index: int | None = Field(None, description="Extractive: position among the article's sentences, from 0.")
    score: float | None = Field(None, description="Extractive: salience score of the sentence.")
    support: list[SupportOut] = Field(description="Article sentences that support this one.")
    unsupported: list[FlagOut] = Field(description="Numbers, names and quotes not found in the article.")
    compressed: bool | None = Field(
        None, description="Newsroom lengths: shortened by removing clauses; the kept words are verbatim, in order."
    )
    spans: list[tuple[int, int]] | None = Field(
        None, description="Compressed extractive sentence: character spans of its kept words in the cleaned article."
    )
    truncated: bool | None = Field(None, description="Cut at a word boundary (\u2026): no shorter sentence fitted.")


class ModelOut(BaseModel):
    name: str
    id: str
    engine: str
    revision: str | None = None
    precision: str = Field(
        "off", description='"int8", "bf16", "fp16" or "off" (fp32): how the model ran (QUANTIZE, DEVICE).'
    )
    device: str = Field("cpu", description='Where the model ran: "cpu" or "cuda:N" (DEVICE).')
    host: str | None = Field(None, description="The inference server that generated (openai-compatible engine).")
    dtype: str | None = Field(
        "float32", description='Its weights\' dtype: "float32", "bfloat16", "float16", "int8"; null: none here.'
    )
    profile: str | None = Field(None, description="The house-style ranker profile in use (RANKER_PROFILE).")
    service_version: str
    generation: dict[str, Any] | None = Field(None, description="Effective generation settings (abstractive).")


class InputOut(BaseModel):
    characters: int = Field(description="Characters of the cleaned article.")
    sentences: int = Field(description="Sentences found in the cleaned article.")
    words: int
    tokens: int | None = Field(None, description="Model tokens of the article (abstractive).")
    token_limit: int | None = Field(None, description="Article tokens one model call reads (abstractive).")
    chunks: int = Field(description="Parts the article was summarised in.")
    truncated: bool = Field(description="Whether any of the article was left unread.")
    coverage: float = Field(description="Share of the article's characters that were read.")
    title: str | None = None
    title_source: TitleSource = Field(
        "none",
        description="Where `title` came from: the request's `title` field; the page's <h1>, og:title or <title> "
        "(site name cut off); a first line that reads as a headline; or none found (bylines, datelines, captions, "
        "kickers and generic page titles never count). The ranker leans on the headline only as far as it is sure "
        "of it, and not at all without one.",
    )
    standfirst: str | None = None
    removed: dict[str, int] = Field(description="Boilerplate blocks removed, by kind.")
    text: str | None = Field(None, description="The cleaned article (only with include_text).")
    language: LanguageOut | None = Field(None, description="The article's language, as detected.")
    read_as: str | None = Field(
        None,
        description="ISO 639-1 code of the language the article was cleaned, split and ranked as: the detected "
        "one, or `en` when the detector is unsure (confidence under 0.5).",
    )
    splitter: str | None = Field(
        None,
        description='The sentence splitter used: "syntok" (English), "pysbd:<code>" (pysbd\'s rules for that '
        'language) or "generic" (Unicode punctuation, for a language no splitter has rules for).',
    )
    ranking: str | None = Field(
        None,
        description='Extractive: how sentences were compared, "embeddings" (the model\'s own languages) or '
        '"lexical" (word and character n-grams, any other language).',
    )
    focus_sentences: int | None = Field(
        None, description="seq2seq with a focus: the article sentences selected as the model's input."
    )


class LanguageOut(BaseModel):
    code: str = Field(description="ISO 639-1 code of the language detected.")
    name: str
    confidence: float = Field(description="The detector's probability, 0 to 1.")


class TimingOut(BaseModel):
    total: float
    cleaning: float
    inference: float


class PurposeOut(BaseModel):
    name: str = Field(description="The newsroom length asked for.")
    limit: int = Field(description="Its budget (per bullet for key points).")
    unit: str = Field(description="`characters`, or `weighted characters (X)` for social.")
    measured: int = Field(description="What the summary measures in that unit.")


class SummaryOut(BaseModel):
    """One article's summary as the use case answers it (`Summarizer.render`): no transport
    fields; each door (HTTP, batch, stream, jobs, CLI) adds its own."""

    summary: str
    characters: int = Field(description="Characters of `summary`.")
    focus: str | None = Field(None, description="The focus asked for.")
    focus_matched: bool | None = Field(
        None,
        description="With a focus: false when nothing in the article relates to it (the summary is then "
        "the unfocused one).",
    )
    purpose: PurposeOut | None = Field(None, description="A newsroom length's budget and measure.")
    sentences: list[SentenceOut]
    model: ModelOut
    input: InputOut

    def as_json(self) -> dict[str, Any]:
        """The JSON-ready body: fields that do not apply are left out."""
        return self.model_dump(mode="json", exclude_none=True)


class SummarizeResponse(SummaryOut):
    """The answer of POST /v1/summarize: the summary, with the request's own timings and id."""

    timing_ms: TimingOut
    request_id: str


class Problem(BaseModel):
    """RFC 9457 problem details; every error of the API has this shape (some add facts, e.g.
    `input_tokens` and `token_limit`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    request_id: str | None = None
    errors: list[dict[str, str]] | None = None


class BatchResult(BaseModel):
    """One item of a batch or a job: its result, or its own problem."""

    id: str = Field(description="The item's `id`, or its position (`#3`) when it has none.")
    status: int = Field(description="200, or the item's own error status.")
    result: SummarizeResponse | None = None
    error: Problem | None = None


class BatchResponse(BaseModel):
    items: list[BatchResult] = Field(description="Per-item results or problems, in order.")
    request_id: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Upstream(BaseModel):
    host: str = Field(description="The inference server's host:port.")
    reachable: bool
    detail: str | None = Field(None, description="Why it cannot serve now.")


class Readiness(BaseModel):
    status: Literal["ready"]
    model: str = Field(description="The loaded model's name.")
    device: str = Field(description='Where it runs: "cpu" or "cuda:N" (DEVICE).')
    dtype: str | None = Field(None, description="Its weights' dtype; absent: not in this process.")
    upstream: Upstream | None = Field(
        None,
        description="The inference server of an openai-compatible model. Down, it is reported here and the "
        "replica stays ready: summaries answer 503 with Retry-After until it is back.",
    )


class LanguageSupport(BaseModel):
    code: str = Field(description='ISO 639-1 code; "*" for any language the detector does not name.')
    name: str
    split: str = Field(description='"syntok", "pysbd:<code>" or "generic" (Unicode punctuation).')
    rank: str | None = Field(
        description='How it is summarised: "embeddings" or "generation" (the model\'s own languages), '
        '"lexical" (extractive ranking on word and character n-grams); null: refused with 422 unless '
        '`language: "force"`.'
    )


class ModelEntry(BaseModel):
    """The model this server was asked for and, once loaded, what it is."""

    requested: str = Field(description="SUMMARIZER_MODEL.")
    status: Literal["loading", "ready", "failed"]
    error: str | None = Field(description="Why loading failed.")
    name: str | None = None
    id: str | None = None
    engine: str | None = None
    revision: str | None = None
    precision: str | None = None
    device: str | None = None
    dtype: str | None = None
    profile: str | None = None
    languages: list[str] | None = Field(None, description="Languages the model declares; null: any.")
    language_support: list[LanguageSupport] | None = Field(
        None, description="Per language the detector knows: how an article in it is split and summarised."
    )
    settings: dict[str, Any] | None = None
    load_seconds: float | None = None


class Limits(BaseModel):
    max_body_bytes: int
    max_text_chars: int
    max_summary_sentences: int
    max_new_tokens: int
    max_input_tokens: int


class Models(BaseModel):
    models: list[ModelEntry]
    limits: Limits
    version: str


def model_identity(info: ModelInfo) -> dict[str, Any]:
    """What every answer says of the loaded model: the summary's `model` and /v1/models share it."""
    return {
        "name": info.name,
        "id": info.id,
        "engine": info.engine,
        "revision": info.revision,
        "precision": info.precision,
        "device": info.device,
        "host": info.host,
        "dtype": dtype_name(info.precision),
        "profile": info.settings.get("profile"),
    }


def language_support(info: ModelInfo) -> list[LanguageSupport]:
    """How the model handles each language the detector knows, and any other ("*")."""
    from service.text.language import LANGUAGES
    from service.text.sentences import GENERIC, splitter_for

    own = "embeddings" if info.engine == "extractive" else "generation"

    def rank(code: str) -> str | None:
        return own if info.languages is None or code in info.languages else info.other_languages

    rows = [
        LanguageSupport(code=code, name=name, split=splitter_for(code), rank=rank(code))
        for code, name in LANGUAGES.items()
    ]
    return [*rows, LanguageSupport(code="*", name="any other", split=GENERIC, rank=rank("*"))]
