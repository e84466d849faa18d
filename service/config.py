"""Every setting of Précis, in one typed place, read once from the environment.

Each field is one environment variable (its name in capitals, unless an alias says
otherwise) and its description is the documentation: the README's settings table is
generated from this class (`python -m service settings`) and a test keeps them equal.
The process bootstraps (docker/gunicorn.conf.py, service/wsgi.py, the job worker, the CLI)
build one `Settings()` and pass it down; no other module reads the environment."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "embedded"
Quantize = Literal["auto", "int8", "bf16", "off"]
QUANTIZE_CHOICES: tuple[str, ...] = get_args(Quantize)
DEVICE_PATTERN = r"^(auto|cpu|cuda(:\d+)?)$"  # DEVICE: service/engines/device.py resolves it
DEFAULT_OPEN_ROUTES = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/", "/static")


def available_cores() -> int:
    """Cores this process may use: its CPU affinity, capped by a container's CPU quota."""
    cores = len(os.sched_getaffinity(0))
    try:  # cgroup v2, e.g. `docker run --cpus 2` on a bigger host
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


class Settings(BaseSettings):
    """Everything the service needs to know about its deployment."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", env_ignore_empty=True, populate_by_name=True, protected_namespaces=()
    )

    # --- model -------------------------------------------------------------------------
    model: str = Field(
        DEFAULT_MODEL,
        validation_alias=AliasChoices("SUMMARIZER_MODEL", "model"),
        description="The model: a name in models/manifest.json, a hub id prepared in MODEL_STORE, or a folder. "
        "`make run MODEL=…` sets it.",
    )
    model_store: Path = Field(REPO_ROOT / "models", description="Where `python -m models.prepare` puts models.")
    model_load: Literal["sync", "background"] = Field(
        "sync",
        description="`sync`: load the model in the app factory (gunicorn preloads it once, before forking); "
        "`background`: load in a thread, /readyz 503 meanwhile.",
    )
    quantize: Quantize = Field(
        "auto",
        description="Weights' precision: `int8` (dynamic, Linear layers), `bf16`, `off` (fp32), or `auto`: the "
        "model's manifest default, set only where it measured no loss of quality (docs/PERFORMANCE.md).",
    )
    device: str = Field(
        "auto",
        pattern=DEVICE_PATTERN,
        description="Where the Hugging Face engines run: `auto` (a GPU when torch sees one, else the CPU), `cpu`, "
        "`cuda` or `cuda:N`. On a GPU the weights are bf16 (fp16 where the GPU lacks it; QUANTIZE=off keeps fp32) "
        "and each gunicorn worker loads the model after the fork: run one worker per GPU.",
    )
    preload_model: Literal["auto", "off"] = Field(
        "auto",
        description="`auto`: on a CPU, gunicorn's master loads the model before forking and the workers share it; "
        "on a GPU each worker loads its own after the fork. `off`: each worker loads its own on any device.",
    )
    ranker_profile: str = Field(
        "",
        description="Extractive engine: a house-style profile file (`python -m service calibrate`), a shipped "
        "name (`cnn`, `bbc`, `orangesum-fr`, `centrality`: the former hand-weighted default, `lede`), or one per "
        "language separated by commas; empty: the model's default set (embedded: the learned `default` for "
        "English, `orangesum-fr` for French, the lede for any other language).",
    )
    torch_threads: int = Field(0, ge=0, description="Torch threads per process; 0: the cores divided by the workers.")
    max_new_tokens: int = Field(256, ge=1, description="Cap on tokens generated per summary.")
    max_input_tokens: int = Field(2048, ge=16, description="Cap on the article tokens one model call reads.")
    generation_batch_size: int = Field(8, ge=1, description="Sequences (texts × beams) per generate() call.")

    # --- generation on an inference server (engine openai-compatible) -------------------
    generation_url: str = Field(
        "http://127.0.0.1:8081/v1",
        description="An OpenAI-compatible server's base URL (vLLM, llama.cpp, Ollama, TGI), for models whose "
        "engine is `openai-compatible`.",
    )
    generation_model: str = Field(
        "", description="The server's name for the model; empty: the manifest entry's id (what vLLM calls it)."
    )
    generation_api_key: SecretStr | None = Field(
        None, description="Bearer token for that server; never logged nor reported."
    )
    generation_connect_timeout_s: float = Field(2.0, gt=0, description="Seconds to connect to that server.")
    generation_read_timeout_s: float = Field(
        60.0, gt=0, description="Seconds to wait for that server's next bytes; past it the summary answers 504."
    )
    generation_concurrency: int = Field(
        8, ge=1, description="Requests each process sends that server at once (it batches them, not Précis)."
    )
    generation_context_tokens: int = Field(
        0, ge=0, description="The server's context window in tokens; 0: asked from the server, else 2048."
    )

    # --- request limits ----------------------------------------------------------------
    max_body_bytes: int = Field(1_000_000, ge=1, description="Larger request bodies get 413.")
    max_text_chars: int = Field(200_000, ge=1, description="Longer article text gets 422.")
    max_summary_sentences: int = Field(50, ge=1, description="Cap on `max_sentences`.")
    max_batch_items: int = Field(32, ge=1, description="Articles one /v1/summarize/batch call may hold.")
    request_timeout_s: float = Field(120.0, gt=0, description="Per-request deadline: 504 past it.")

    # --- batching and cache ------------------------------------------------------------
    max_batch_size: int = Field(8, ge=1, description="Requests one micro-batch may group.")
    max_batch_wait_ms: int | None = Field(
        None, ge=0, description="How long a micro-batch waits to fill; unset: the engine's own (10 ms / 100 ms)."
    )
    max_queue: int = Field(64, ge=1, description="Requests waiting per worker before 503.")
    cache_max_bytes: int = Field(64_000_000, ge=0, description="Response cache per worker, in bytes; 0: off.")

    # --- security and limits -----------------------------------------------------------
    api_keys: str = Field("", description="Comma-separated API keys; with API_KEYS_FILE empty too, auth is off.")
    api_keys_file: str = Field("", description="A file of `name:sha256-hex` lines, one key each.")
    open_routes: Annotated[tuple[str, ...], NoDecode] = Field(
        DEFAULT_OPEN_ROUTES,
        validation_alias=AliasChoices("AUTH_OPEN_ROUTES", "open_routes"),
        description="Routes that stay open when API keys are on (space- or comma-separated).",
    )
    rate_limit: str = Field("", description="e.g. `60/minute`, per API key or client address; empty: off.")
    rate_limit_storage: str = Field(
        "memory://",
        validation_alias=AliasChoices("RATE_LIMIT_STORAGE_URI", "rate_limit_storage"),
        description="Where rate-limit counters live: `memory://` (per worker) or `redis://…` (shared).",
    )

    # --- jobs ----------------------------------------------------------------------------
    jobs: bool = Field(True, description="Serve /v1/jobs (needs REDIS_URL); off: /v1/jobs answers 503.")
    redis_url: str = Field("", description="Redis for jobs (broker and result store), e.g. `redis://:pw@host:6379/0`.")
    max_job_items: int = Field(100_000, ge=1, description="Articles one job may hold.")
    max_job_bytes: int = Field(
        200_000_000,
        ge=1,
        description="Largest job body sent as JSON, in bytes (read whole; an archive goes as JSON Lines).",
    )
    max_job_body_bytes: int = Field(
        1 << 30,
        ge=1,
        description="Largest job body sent as JSON Lines, in bytes (read as a stream, a line at a time; each line "
        "at most MAX_BODY_BYTES). 1 GiB: 100,000 CNN-length articles (3.9 KB a line) with 2.5 times to spare.",
    )
    job_models: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Models other than SUMMARIZER_MODEL that job worker pools serve (space- or comma-separated): a "
        "job naming one in `options.model` goes to its pool's queue `precis-jobs.<model>` (workers started with "
        "that SUMMARIZER_MODEL and `--queues precis-jobs.<model>`); a job naming any other gets 422.",
    )
    job_result_ttl_s: int = Field(86_400, ge=1, description="How long a job and its results are kept, in seconds.")
    job_chunk_size: int = Field(16, ge=1, description="Articles a worker summarises per task (one engine call).")
    job_worker_concurrency: int = Field(
        0, ge=0, description="Processes per job worker (`celery -A service.jobs worker`); 0: one per available core."
    )
    job_visibility_timeout_s: int = Field(
        3600,
        ge=1,
        description="A chunk whose worker vanished (no ack) is redelivered after this many seconds (+ up to 10).",
    )

    # --- job webhooks (callback_url) ------------------------------------------------------
    webhook_secret: SecretStr | None = Field(
        None,
        description="Signs job webhooks (Standard Webhooks): `whsec_` + base64 of 24 to 64 random bytes. A job "
        "with a `callback_url` is refused (422) when neither this nor WEBHOOK_SECRETS_FILE gives it a secret. "
        "Never logged nor reported.",
    )
    webhook_secrets_file: str = Field(
        "",
        description="A file of `key-name:whsec_…` lines: the secret that signs the webhooks of jobs created "
        "with that API key (its name in API_KEYS_FILE, or `key0`, `key1`… in API_KEYS' order); other keys use "
        "WEBHOOK_SECRET.",
    )
    webhook_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Hosts or IP addresses (space- or comma-separated) a `callback_url` may name although they are "
        "private, loopback or link-local (refused otherwise, at submit and again after DNS at delivery).",
    )
    webhook_retry_delays_s: Annotated[tuple[float, ...], NoDecode] = Field(
        (10, 30, 90, 240, 540),
        description="Seconds before each retry of a webhook that was not answered 2xx (space- or comma-separated): "
        "by default 6 attempts over about 15 minutes.",
    )
    webhook_timeout_s: float = Field(
        5.0, gt=0, description="Seconds a webhook delivery may take to connect, and then to be answered."
    )

    # --- server (gunicorn) -------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8000, ge=0, le=65535, description="Port to listen on.")
    web_concurrency: int = Field(0, ge=0, description="gunicorn workers; 0: one per available core.")
    threads: int = Field(16, ge=1, description="Request threads per worker (enough to fill a micro-batch).")
    timeout: int = Field(300, ge=1, description="gunicorn's worker timeout, in seconds.")
    graceful_timeout: int = Field(30, ge=1, description="Seconds to finish in-flight requests on SIGTERM.")
    keepalive: int = Field(75, ge=0, description="Idle keep-alive seconds (longer than a load balancer's 60).")
    backlog: int = Field(2048, ge=1, description="Pending connections the socket queues.")
    malloc_arena_max: int = Field(2, ge=1, description="glibc heap arenas per process (fewer: less private memory).")
    prometheus_multiproc_dir: str = Field(
        "", description="Where every process writes its metrics for /metrics to sum; the gunicorn config sets it."
    )

    # --- logs and client ---------------------------------------------------------------
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    log_articles: bool = Field(False, description="Log the start of each article (debugging, at LOG_LEVEL=DEBUG).")
    precis_api_key: str = Field("", description="The CLI's and client's API key for `--url`.")

    @field_validator("open_routes", "webhook_allowed_hosts", "webhook_retry_delays_s", "job_models", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        """A list given as one string, space- or comma-separated."""
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split() if part)
        return value

    @field_validator("webhook_retry_delays_s")
    @classmethod
    def _non_negative(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(delay < 0 or not math.isfinite(delay) for delay in value):
            raise ValueError("each delay is a number of seconds, 0 or more")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def workers(self) -> int:
        return self.web_concurrency or available_cores()

    @property
    def job_workers(self) -> int:
        """Processes per job worker: JOB_WORKER_CONCURRENCY, else one per available core."""
        return self.job_worker_concurrency or available_cores()

    def torch_threads_for(self, processes: int) -> int:
        """Split the cores between serving processes so their torch pools don't oversubscribe."""
        return self.torch_threads or max(1, available_cores() // max(1, processes))


def enforce_offline() -> None:
    """Whatever a library tries, serving must not reach a model hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def preload_torch() -> None:
    """One torch thread in a process that loads the model and then forks: an OpenMP pool
    started before the fork can hang a child's first parallel region. Each child then
    sizes its own pool (configure_torch)."""
    import torch

    torch.set_num_threads(1)


def configure_torch(settings: Settings, processes: int) -> None:
    """Torch's thread pool size, for one of `processes` serving processes: set before the model
    loads, and again in each forked worker (a thread pool does not survive the fork). numpy's
    BLAS gets one thread: the ranker's matrices are an article's sentences (tens of rows), and a
    BLAS pool woken beside torch's spinning OpenMP threads cost more than the products
    themselves (115 → 75 ms an article with the learned default, bench.compare in docs/PERFORMANCE.md)."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(settings.torch_threads_for(processes))
    threadpool_limits(1, user_api="blas")
