"""Where prepared models live, and how a SUMMARIZER_MODEL value maps to one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_PATH = Path(__file__).resolve().parent / "manifest.json"
PROVENANCE_FILE = "PROVENANCE.json"


class ModelNotAvailable(RuntimeError):
    """The requested model is unknown or not prepared; the message says what to do."""


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: Path
    engine: str
    hub_id: str
    provenance: dict[str, Any]


def load_manifest() -> dict[str, dict[str, Any]]:
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def read_provenance(path: Path) -> dict[str, Any]:
    file = path / PROVENANCE_FILE
    return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}


def resolve(spec: str, store: Path) -> ResolvedModel:
    """Map a manifest name or a local folder to a prepared model. Never downloads."""
    manifest = load_manifest()
    if spec in manifest:
        entry = manifest[spec]
        path = store / spec
        if not (path / "config.json").is_file():
            raise ModelNotAvailable(
                f"model {spec!r} is not prepared in {path}; run `python -m models.prepare {spec}`"
            )
        return ResolvedModel(spec, path, entry["engine"], entry["hub_id"], read_provenance(path))
    path = Path(spec).expanduser()
    if (path / "config.json").is_file():
        provenance = read_provenance(path)
        engine = provenance.get("engine") or infer_engine(path)
        return ResolvedModel(path.name, path.resolve(), engine, provenance.get("hub_id", str(path)), provenance)
    raise ModelNotAvailable(
        f"model {spec!r} is neither a name in models/manifest.json ({', '.join(sorted(manifest))}) "
        f"nor a folder holding a config.json"
    )


def infer_engine(path: Path) -> str:
    """Guess the engine from a model folder's config: encoders rank sentences."""
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    architectures = " ".join(config.get("architectures") or [])
    if config.get("is_encoder_decoder"):
        return "seq2seq"
    if "CausalLM" in architectures:
        return "instruct"
    return "extractive"
