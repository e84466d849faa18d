"""Service settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "embedded"
QUANTIZE_CHOICES = ("auto", "int8", "bf16", "off")


def _env_int(name: str, default: int | None) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its deployment.

    Each field maps to one environment variable (documented in the README)."""

    model: str = DEFAULT_MODEL  # SUMMARIZER_MODEL: a manifest name or a local model folder
    model_store: Path = REPO_ROOT / "models"  # MODEL_STORE: where `models.prepare` puts models
    model_load: str = "sync"  # MODEL_LOAD: "sync" (load in the factory) or "background"
    max_body_bytes: int = 1_000_000  # MAX_BODY_BYTES: larger bodies get 413
    max_text_chars: int = 200_000  # MAX_TEXT_CHARS: longer article text gets 422
    max_summary_sentences: int = 50  # MAX_SUMMARY_SENTENCES: cap on `max_sentences`
    torch_threads: int = 0  # TORCH_THREADS: 0 leaves torch's default
    # QUANTIZE: "int8" (dynamic int8 quantisation of Linear layers), "bf16" (bfloat16), "off"
    # (fp32), or "auto": what the model's manifest entry says, where that was measured to cost
    # no summary quality.
    quantize: str = "auto"
    max_new_tokens: int = 256  # MAX_NEW_TOKENS: cap on tokens generated per summary
    max_input_tokens: int = 2048  # MAX_INPUT_TOKENS: cap on what one model call reads
    generation_batch_size: int = 8  # GENERATION_BATCH_SIZE: sequences (texts × beams) per generate() call
    max_batch_size: int = 8  # MAX_BATCH_SIZE: requests one micro-batch may group
    max_batch_wait_ms: int | None = None  # MAX_BATCH_WAIT_MS: how long a batch waits to fill; unset: by engine
    max_queue: int = 64  # MAX_QUEUE: waiting requests per worker before 503
    max_batch_items: int = 32  # MAX_BATCH_ITEMS: articles one /v1/summarize/batch call may hold
    cache_max_bytes: int = 64_000_000  # CACHE_MAX_BYTES: response cache per worker (0: off)
    request_timeout_s: float = 120.0  # REQUEST_TIMEOUT_S: per-request deadline (504 past it)
    api_keys: str = ""  # API_KEYS: comma-separated keys; with API_KEYS_FILE empty too, auth is off
    api_keys_file: str = ""  # API_KEYS_FILE: lines of name:sha256-hex
    open_routes: tuple[str, ...] = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/", "/static")
    rate_limit: str = ""  # RATE_LIMIT: e.g. "60/minute" per key (or client address); empty: off
    rate_limit_storage: str = "memory://"  # RATE_LIMIT_STORAGE_URI: e.g. redis://host:6379
    log_articles: bool = False  # LOG_ARTICLES: log the start of each article (debugging only)
    log_level: str = "INFO"  # LOG_LEVEL

    @classmethod
    def from_env(cls) -> "Settings":
        load_mode = os.environ.get("MODEL_LOAD", "sync").strip() or "sync"
        if load_mode not in ("sync", "background"):
            raise ValueError(f"MODEL_LOAD must be 'sync' or 'background', got {load_mode!r}")
        quantize = os.environ.get("QUANTIZE", "").strip().lower() or "auto"
        if quantize not in QUANTIZE_CHOICES:
            raise ValueError(f"QUANTIZE must be one of {', '.join(QUANTIZE_CHOICES)}, got {quantize!r}")
        return cls(
            model=os.environ.get("SUMMARIZER_MODEL", "").strip() or DEFAULT_MODEL,
            model_store=Path(os.environ.get("MODEL_STORE", "").strip() or REPO_ROOT / "models"),
            model_load=load_mode,
            max_body_bytes=_env_int("MAX_BODY_BYTES", cls.max_body_bytes),
            max_text_chars=_env_int("MAX_TEXT_CHARS", cls.max_text_chars),
            max_summary_sentences=_env_int("MAX_SUMMARY_SENTENCES", cls.max_summary_sentences),
            torch_threads=_env_int("TORCH_THREADS", 0),
            quantize=quantize,
            max_new_tokens=_env_int("MAX_NEW_TOKENS", cls.max_new_tokens),
            max_input_tokens=_env_int("MAX_INPUT_TOKENS", cls.max_input_tokens),
            generation_batch_size=_env_int("GENERATION_BATCH_SIZE", cls.generation_batch_size),
            max_batch_size=_env_int("MAX_BATCH_SIZE", cls.max_batch_size),
            max_batch_wait_ms=_env_int("MAX_BATCH_WAIT_MS", cls.max_batch_wait_ms),
            max_queue=_env_int("MAX_QUEUE", cls.max_queue),
            max_batch_items=_env_int("MAX_BATCH_ITEMS", cls.max_batch_items),
            cache_max_bytes=_env_int("CACHE_MAX_BYTES", cls.cache_max_bytes),
            request_timeout_s=float(os.environ.get("REQUEST_TIMEOUT_S", "").strip() or cls.request_timeout_s),
            api_keys=os.environ.get("API_KEYS", ""),
            api_keys_file=os.environ.get("API_KEYS_FILE", "").strip(),
            open_routes=tuple(r for r in os.environ.get("AUTH_OPEN_ROUTES", " ".join(cls.open_routes))
                              .replace(",", " ").split() if r),
            rate_limit=os.environ.get("RATE_LIMIT", "").strip(),
            rate_limit_storage=os.environ.get("RATE_LIMIT_STORAGE_URI", "").strip() or cls.rate_limit_storage,
            log_articles=os.environ.get("LOG_ARTICLES", "").strip().lower() in ("1", "true", "yes"),
            log_level=os.environ.get("LOG_LEVEL", "").strip().upper() or cls.log_level,
        )
