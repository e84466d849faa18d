"""Where prepared models live, and how a SUMMARIZER_MODEL value maps to one.

A value is a manifest name (`embedded`), a hub id (`org/name`, prepared into
`STORE/org--name`) or a local folder. Resolving never downloads anything."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

MANIFEST_PATH = Path(__file__).resolve().parent / "manifest.json"
PROVENANCE_FILE = "PROVENANCE.json"
# Engines whose model runs on an inference server (service/engines/remote.py): nothing to prepare here.
REMOTE_ENGINES = frozenset({"openai-compatible"})


class ModelNotAvailable(RuntimeError):
    """The requested model is unknown or not prepared; the message says what to do."""


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: Path
    engine: str
    hub_id: str
    provenance: dict[str, Any]
    gguf_file: str | None = None
    quantize: str = "off"  # the manifest's measured default for QUANTIZE=auto
    # ISO 639-1 codes the model summarises; None (a model given by folder): not declared.
    languages: tuple[str, ...] | None = None
    # How it summarises an article in any other language: "lexical" (an extractive model ranks
    # it on word and character n-grams); None: it does not (refused unless forced).
    other_languages: str | None = None
    # The ranker profile it serves when RANKER_PROFILE is empty (an extractive model whose
    # sentence vectors the built-in default was not tuned on); None: the built-in default.
    profile: str | None = None


def load_manifest() -> dict[str, dict[str, Any]]:
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def read_provenance(path: Path) -> dict[str, Any]:
    file = path / PROVENANCE_FILE
    return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}


def store_folder_name(spec: str) -> str:
    """`org/name` hub ids are kept as `org--name` (the hub cache's own convention)."""
    return spec.replace("/", "--")


def is_hub_id(spec: str) -> bool:
    parts = spec.split("/")
    return len(parts) == 2 and all(parts) and not spec.startswith((".", "~")) and not Path(spec).exists()


def _gguf_in(path: Path) -> str | None:
    files = sorted(p.name for p in path.glob("*.gguf"))
    return files[0] if files else None


def _from_folder(name: str, path: Path, hub_id: str | None = None) -> ResolvedModel:
    provenance = read_provenance(path)
    gguf = provenance.get("gguf_file") or (None if (path / "config.json").is_file() else _gguf_in(path))
    engine = provenance.get("engine") or ("instruct" if gguf else infer_engine(path))
    upstream = provenance.get("hub_id") or hub_id or str(path)
    return ResolvedModel(name, path.resolve(), engine, upstream, provenance, gguf)


def _is_model_folder(path: Path) -> bool:
    return path.is_dir() and ((path / "config.json").is_file() or _gguf_in(path) is not None)


def resolve(spec: str, store: Path) -> ResolvedModel:
    """Map a manifest name, a hub id or a local folder to a prepared model."""
    manifest = load_manifest()
    if spec in manifest and manifest[spec].get("engine") in REMOTE_ENGINES:
        entry = manifest[spec]
        languages = entry.get("languages")
        return ResolvedModel(
            spec, store / spec, entry["engine"], entry["hub_id"], {}, languages=tuple(languages) if languages else None
        )
    if spec in manifest:
        path = store / spec
        if not (path / PROVENANCE_FILE).is_file():
            raise ModelNotAvailable(f"model {spec!r} is not prepared in {path}; run `python -m models.prepare {spec}`")
        resolved = _from_folder(spec, path, manifest[spec]["hub_id"])
        languages = manifest[spec].get("languages")
        return replace(
            resolved,
            quantize=manifest[spec].get("quantize", "off"),
            languages=tuple(languages) if languages else None,
            other_languages=manifest[spec].get("other_languages"),
            profile=manifest[spec].get("profile"),
        )
    path = Path(spec).expanduser()
    if _is_model_folder(path):
        return _from_folder(path.name, path)
    if path.suffix == ".gguf" and path.is_file():
        resolved = _from_folder(path.parent.name, path.parent)
        return replace(resolved, name=path.stem, engine="instruct", gguf_file=path.name)
    if is_hub_id(spec):
        folder = store / store_folder_name(spec)
        if _is_model_folder(folder):
            return _from_folder(spec, folder, spec)
        raise ModelNotAvailable(
            f"hub model {spec!r} is not prepared in {folder}; run `python -m models.prepare {spec}` "
            f"where a network exists (serving never downloads)"
        )
    raise ModelNotAvailable(
        f"model {spec!r} is neither a name in models/manifest.json ({', '.join(sorted(manifest))}), "
        f"a hub id (org/name) nor a folder holding a model"
    )


def infer_engine(path: Path) -> str:
    """Guess the engine from a model folder's config: encoders rank sentences."""
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    architectures = " ".join(config.get("architectures") or [])
    if config.get("is_encoder_decoder") or "ConditionalGeneration" in architectures:
        return "seq2seq"
    if "CausalLM" in architectures:
        return "instruct"
    return "extractive"
