"""One typed config: every setting from one environment variable, documented once."""

from __future__ import annotations

import re
import subprocess

import pytest
from pydantic import ValidationError

from bench.server import REPO_ROOT
from service.cli import settings_table
from service.config import Settings


def test_readme_settings_table_is_the_generated_one() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"<!-- settings:start -->\n(.*?)<!-- settings:end -->", readme, re.S)
    assert documented, "README.md lost its settings table markers"
    assert documented.group(1) == settings_table(), "run `python -m service settings` and paste it into README.md"


def test_environment_variables_map_to_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_MODEL", "smollm2-135m-instruct")
    monkeypatch.setenv("AUTH_OPEN_ROUTES", "/healthz, /readyz")
    monkeypatch.setenv("MAX_QUEUE", "")  # empty means the default, as in a compose file's `MAX_QUEUE:`
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = Settings()
    assert settings.model == "smollm2-135m-instruct"
    assert settings.open_routes == ("/healthz", "/readyz")
    assert settings.max_queue == 64 and settings.log_level == "DEBUG"


def test_invalid_values_fail_at_start_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANTIZE", "int4")
    with pytest.raises(ValidationError, match="quantize"):
        Settings()
    monkeypatch.setenv("QUANTIZE", "off")
    monkeypatch.setenv("MAX_BATCH_SIZE", "many")
    with pytest.raises(ValidationError, match="max_batch_size"):
        Settings()


def test_only_bootstraps_read_the_environment() -> None:
    """Modules take a Settings; only the settings module and process entry points read os.environ."""
    allowed = {"service/config.py", "service/jobs/stack.py", "service/jobs/worker.py", "docker/gunicorn.conf.py"}
    allowed.add("service/engines/device.py")  # writes torch's own switch (NVML GPU count), reads no setting
    allowed.add("models/llama_server.py")  # a launcher: hands its child server the environment, HOST/PORT pinned
    allowed.add("models/prepare.py")  # pins HF_HUB_OFFLINE before model2vec distils: no hub, reads no setting
    found = subprocess.run(
        ["grep", "-rln", "--include=*.py", "os.environ", "service", "models", "docker"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert set(found) <= allowed, sorted(set(found) - allowed)


def test_make_run_model_and_summarizer_model_agree() -> None:
    """`make run MODEL=x` and `SUMMARIZER_MODEL=x make run` name the same model (make -n shows it)."""

    def planned(*args: str, **env: str) -> str:
        return subprocess.run(
            ["make", "-n", "model", *args],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", **env},
        ).stdout

    assert "models.prepare smollm2-135m-instruct" in planned("MODEL=smollm2-135m-instruct")
    assert "models.prepare smollm2-135m-instruct" in planned(SUMMARIZER_MODEL="smollm2-135m-instruct")
    assert "models.prepare embedded" in planned()
