"""Request and response schemas of API v1 (pydantic: validation and, later, OpenAPI)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

LENGTH_PRESETS: dict[str, int] = {"short": 2, "medium": 3, "long": 5}
DEFAULT_LENGTH = "medium"


class SummarizeRequest(BaseModel):
    """An article as `text` or `html` (exactly one), with length and format options."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    text: str | None = Field(None, description="The article as plain text.")
    html: str | None = Field(None, description="The article as an HTML page or fragment.")
    title: str | None = Field(None, max_length=1000, description="Headline; guides ranking, never returned.")
    length: Literal["short", "medium", "long"] | None = Field(
        None, description="Preset length: short = 2, medium = 3, long = 5 sentences."
    )
    max_sentences: int | None = Field(None, ge=1, description="At most this many sentences.")
    max_words: int | None = Field(None, ge=5, le=5000, description="At most this many words.")
    format: Literal["paragraph", "bullets"] = Field("paragraph", description="How `summary` is laid out.")
    include_text: bool = Field(False, description="Return the cleaned article the spans refer to.")

    # Deployment caps come in through the validation context (see service.api).
    @field_validator("text", "html")
    @classmethod
    def _within_text_cap(cls, value: str | None, info: ValidationInfo) -> str | None:
        cap = (info.context or {}).get("max_text_chars")
        if value is not None and cap is not None and len(value) > cap:
            raise ValueError(f"the article has {len(value)} characters; this server accepts at most {cap}")
        return value

    @field_validator("max_sentences")
    @classmethod
    def _within_sentence_cap(cls, value: int | None, info: ValidationInfo) -> int | None:
        cap = (info.context or {}).get("max_summary_sentences")
        if value is not None and cap is not None and value > cap:
            raise ValueError(f"max_sentences may be at most {cap}")
        return value

    @model_validator(mode="after")
    def _one_source_one_length(self) -> "SummarizeRequest":
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of 'text' or 'html'")
        if sum(x is not None for x in (self.length, self.max_sentences, self.max_words)) > 1:
            raise ValueError("give at most one of 'length', 'max_sentences' or 'max_words'")
        source = self.text if self.text is not None else self.html
        if not source or not source.strip():
            raise ValueError("the article is empty or whitespace only")
        return self

    @property
    def source_field(self) -> str:
        return "text" if self.text is not None else "html"


class SentenceOut(BaseModel):
    text: str
    start: int = Field(description="Start offset (characters) in the cleaned article.")
    end: int = Field(description="End offset (exclusive) in the cleaned article.")
    index: int = Field(description="Position among the article's sentences, from 0.")
    score: float = Field(description="Salience score the engine gave the sentence.")


class ModelOut(BaseModel):
    name: str
    id: str
    engine: str
    revision: str | None = None


class InputOut(BaseModel):
    characters: int = Field(description="Characters of the cleaned article.")
    sentences: int = Field(description="Sentences found in the cleaned article.")
    words: int
    truncated: bool = Field(description="Whether any of the article was left unread.")
    title: str | None = None
    standfirst: str | None = None
    removed: dict[str, int] = Field(description="Boilerplate blocks removed, by kind.")
    text: str | None = Field(None, description="The cleaned article (only with include_text).")


class TimingOut(BaseModel):
    total: float
    cleaning: float
    inference: float


class SummarizeResponse(BaseModel):
    summary: str
    sentences: list[SentenceOut]
    model: ModelOut
    input: InputOut
    timing_ms: TimingOut
    request_id: str


class Problem(BaseModel):
    """RFC 9457 problem details; every error of the API has this shape."""

    type: str
    title: str
    status: int
    detail: str
    request_id: str | None = None
    errors: list[dict[str, str]] | None = None
