"""Ranker profiles: the extractive ranker's weights, or a salience model, fitted to one
newsroom's house style, in a small JSON file with where it came from and what it measured.

    {"name": "cnn", "ranker": "weighted" | "salience", "language": "en",
     "weights": {RankerWeights fields},            # selection settings for both kinds
     "salience": {"kind", "features", "mean", "scale", "layers"},   # "salience" only
     "data": {"path", "articles", "sha256"},
     "evaluation": {"cross_validated": {"rouge2_minus_lead3": {"mean", "ci95"}, ...}, ...},
     "command": "python -m service calibrate ..."}

`RANKER_PROFILE` names a file, or a profile shipped in `service/profiles/` by its name
(`bbc`, `cnn`, `orangesum-fr`), or a built-in one: `centrality` (the hand-weighted position,
centrality and headline ranker that was the default until the learned one) and `lede`.

Empty means the default set, one profile per language: `default` (English: the learned
context model fitted on every shared English training set, publishers balanced) and
`orangesum-fr` (French). An article in a language no profile was fitted on is ranked by
`lede` (the lead prior alone): with no model fitted on its language, the ranker does not
guess, and a summary is never worse than the lede. The summary's `model.profile` names the
route that ranked it.

A profile is fitted on one language's articles (`language`; a file without one is English).
RANKER_PROFILE may name one per language, separated by commas (`cnn,profiles/ours-fr.json`);
the default set fills in the languages none of them names, unless one of them ranks any
language (`centrality`): then it ranks every language without a profile of its own, as the
built-in default did. Weights fitted to one language's similarities (embeddings for English,
lexical n-grams for the others) do not carry to another's."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from service.ranker.context import KIND as CONTEXT
from service.ranker.context import ContextModel
from service.ranker.ranking import RankerWeights, RankInput, score_sentences
from service.ranker.salience import EMBEDDINGS, SalienceModel

# A learned model: per-sentence features (salience.py) or sentences in context (context.py).
LearnedModel = SalienceModel | ContextModel

SHIPPED = Path(__file__).resolve().parent.parent / "profiles"  # service/profiles/
# A learned model is gzipped JSON: the five-net cnn profile is 4.8 MB as text, 1.7 MB gzipped.
SUFFIXES = (".json", ".json.gz")
DEFAULT_NAME = "default"
CENTRALITY = "centrality"
LEDE = "lede"
# RANKER_PROFILE empty: the shipped profile for each language that has one.
DEFAULT_SET = (DEFAULT_NAME, "orangesum-fr")
# The vectors of a learned profile that names none: every one fitted before the fast tier read MiniLM's.
FITTED_ON_BEFORE_TIERS = "embedded"
# The language of a profile file that names none: every one fitted before issue 21 read English.
LEGACY_LANGUAGE = "en"


@dataclass(frozen=True)
class Profile:
    name: str
    weights: RankerWeights = field(default_factory=RankerWeights)
    salience: LearnedModel | None = None
    source: str | None = None  # the file it was read from
    meta: dict[str, Any] = field(default_factory=dict)  # data provenance, evaluation, command
    # ISO 639-1 code of the articles it was fitted on; None (the built-in default): any language.
    language: str | None = None

    @property
    def ranker(self) -> str:
        return "salience" if self.salience is not None else "weighted"

    @property
    def fitted_on(self) -> str | None:
        """The embedded model whose sentence vectors its learned model reads (calibrate
        --embedder; MiniLM's before the fast tier), None if it reads none (weights, lexical)."""
        if self.salience is None or EMBEDDINGS not in self.salience.blocks:
            return None
        return str(self.meta.get("encoder", {}).get("model", FITTED_ON_BEFORE_TIERS))

    @property
    def encoder_layers(self) -> tuple[int, ...]:
        """The inner encoder layers whose vectors its learned model reads beside the final one's."""
        return tuple(getattr(self.salience, "encoder_layers", ()))

    def score(self, article: RankInput) -> np.ndarray:
        """One salience score per sentence."""
        if self.salience is not None:
            return self.salience.score(article)
        return score_sentences(article, self.weights)

    def settings(self) -> dict[str, Any]:
        """What /v1/models shows of the ranker."""
        out: dict[str, Any] = {"profile": self.name, "kind": self.ranker, "weights": asdict(self.weights)}
        if self.language:
            out["language"] = self.language
        if self.source:
            out["file"] = self.source
        for key in ("data", "evaluation"):
            if key in self.meta:
                out[key] = self.meta[key]
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "ranker": self.ranker, "weights": asdict(self.weights)}
        if self.language:
            out["language"] = self.language
        if self.salience is not None:
            out["salience"] = self.salience.to_json()
        return {**out, **self.meta}


def weights_from(data: dict[str, Any]) -> RankerWeights:
    known = {f.name for f in fields(RankerWeights)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown ranker weights: {', '.join(sorted(unknown))}")
    return RankerWeights(**data)


def profile_from_json(data: dict[str, Any], source: str | None = None) -> Profile:
    kind = data.get("ranker", "weighted")
    if kind not in ("weighted", "salience"):
        raise ValueError(f"ranker must be 'weighted' or 'salience', not {kind!r}")
    salience = learned_model_from_json(data["salience"]) if kind == "salience" else None
    meta = {k: v for k, v in data.items() if k not in ("name", "ranker", "weights", "salience", "language")}
    language = str(data.get("language") or LEGACY_LANGUAGE)
    name = str(data.get("name") or DEFAULT_NAME)
    return Profile(name, weights_from(data.get("weights", {})), salience, source, meta, language)


def learned_model_from_json(data: dict[str, Any]) -> LearnedModel:
    return ContextModel.from_json(data) if data.get("kind") == CONTEXT else SalienceModel.from_json(data)


def resolve_profile_path(spec: str) -> Path:
    """A file path, or the name of a shipped profile."""
    path = Path(spec)
    if path.is_file():
        return path
    for suffix in SUFFIXES:
        shipped = SHIPPED / f"{spec}{suffix}"
        if "/" not in spec and shipped.is_file():
            return shipped
    names = ", ".join(sorted(p.name.split(".")[0] for s in SUFFIXES for p in SHIPPED.glob(f"*{s}")))
    raise FileNotFoundError(f"ranker profile {spec!r}: no such file, nor a shipped profile ({names})")


# The lead prior alone: scores fall with position, so the first sentences are chosen (a
# fragment or a near-duplicate is passed over, as by every profile).
LEDE_WEIGHTS = RankerWeights(position_decay=1.0, lede=0.0, centrality=0.0, title=0.0)
LEDE_PROFILE = Profile(LEDE, LEDE_WEIGHTS)  # frozen: one shared by every use


def built_in(name: str) -> Profile | None:
    """`centrality`: the hand-weighted ranker (RankerWeights' defaults) for any language;
    `lede`: the lead prior alone, for any language (the route of a language no profile fits)."""
    return {CENTRALITY: Profile(CENTRALITY), LEDE: LEDE_PROFILE}.get(name)


def load_profile(path: str | Path | None) -> Profile:
    """The profile RANKER_PROFILE names (a file, a shipped name or a built-in one); None or ""
    is the learned English default."""
    spec = DEFAULT_NAME if path is None or str(path).strip() == "" else str(path).strip()
    if (profile := built_in(spec)) is not None:
        return profile
    resolved = resolve_profile_path(spec)
    try:
        raw = resolved.read_bytes()
        data = json.loads(gzip.decompress(raw) if resolved.suffix == ".gz" else raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"ranker profile {resolved}: not valid JSON ({exc})") from exc
    return profile_from_json(data, str(resolved))


def save_profile(profile: Profile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (json.dumps(profile.to_json(), indent=1) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(text, mtime=0) if path.suffix == ".gz" else text)


def load_profiles(spec: str | None) -> list[Profile]:
    """RANKER_PROFILE's profiles: those it names, one per language, then the default set's for
    the languages none of them names (none when one of them ranks any language)."""
    named = [load_profile(part.strip()) for part in (spec or "").split(",") if part.strip()]
    languages = [p.language for p in named]
    if len(set(languages)) < len(languages):
        raise ValueError(f"ranker profiles {spec!r}: two are for one language ({', '.join(map(str, languages))})")
    if None in languages:
        return named
    defaults = [load_profile(name) for name in DEFAULT_SET]
    return named + [p for p in defaults if p.language not in languages]


def profile_for(profiles: Sequence[Profile], language: str) -> Profile:
    """The profile fitted on `language`, else one for any language, else the lede."""
    fitted = [p for p in profiles if p.language == language] or [p for p in profiles if p.language is None]
    return fitted[0] if fitted else LEDE_PROFILE
