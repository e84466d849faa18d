"""Articles in other languages (issue 21): read and split by their language's rules, ranked
without an English model, never refused by the extractive default; English as before.

French articles are OrangeSum's (../shared/data/fr-orangesum-dev.jsonl); German, Spanish
and Italian are news stories in tests/data/multilingual."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient

from bench.server import REPO_ROOT
from service.calibration import archive, calibrate
from service.config import Settings
from service.domain.summary import Document, Engine
from service.engines.extractive import ExtractiveEngine
from service.engines.registry import load_engine
from service.ranker.lexical import LexicalEmbedder
from service.ranker.profile import Profile, load_profile, load_profiles, profile_for, profile_from_json
from service.ranker.ranking import RankerWeights
from service.ranker.salience import FEATURES, SURFACE, SURFACE_FEATURES, surface_features
from service.schemas import SummarizeRequest, language_support
from service.summarizer import Summarizer, read_article
from service.text.language import UnsupportedLanguage
from service.text.sentences import split_sentences
from tests.support import LANGUAGE_TEXTS, summarize

FRENCH_DEV = REPO_ROOT.parent / "shared" / "data" / "fr-orangesum-dev.jsonl"
STORIES = Path(__file__).resolve().parent / "data" / "multilingual"
FRENCH_ARTICLES = 25


@pytest.fixture(scope="module")
def french_rows() -> list[dict[str, Any]]:
    if not FRENCH_DEV.is_file():
        pytest.skip("../shared/data/fr-orangesum-dev.jsonl is not present")
    with FRENCH_DEV.open(encoding="utf-8") as handle:
        return [json.loads(line) for line, _ in zip(handle, range(FRENCH_ARTICLES), strict=False)]


def story(code: str) -> str:
    return (STORIES / f"{code}.txt").read_text(encoding="utf-8")


def test_no_french_german_spanish_or_italian_article_is_refused(
    client: FlaskClient, french_rows: list[dict[str, Any]]
) -> None:
    articles = [("fr", row["article"]) for row in french_rows] + [(code, story(code)) for code in ("de", "es", "it")]
    for code, text in articles:
        response = summarize(client, json={"text": text, "include_text": True})  # language: auto
        assert response.status_code == 200, (code, response.text)
        body = response.get_json()
        report = body["input"]
        assert (report["language"]["code"], report["read_as"]) == (code, code)
        assert (report["splitter"], report["ranking"]) == (f"pysbd:{code}", "lexical")
        # French has a default of its own; a language no profile was fitted on is ranked by the lede.
        assert body["model"]["profile"] == ("orangesum-fr" if code == "fr" else "lede")
        assert body["sentences"] and all(
            report["text"][s["start"] : s["end"]] == s["text"] for s in body["sentences"]
        ), code


def test_the_headline_and_the_lede_lead_a_lexically_ranked_summary(client: FlaskClient) -> None:
    """German copy: the lede leads (the built-in lead prior), the headline is found, and the
    second sentence is one of the story's, not the byline-free furniture around it."""
    text = story("de")
    body = summarize(client, json={"text": text, "max_sentences": 2}).get_json()
    assert body["input"]["title"] == "Bahnstreik legt Fernverkehr in weiten Teilen Deutschlands lahm"
    first = body["sentences"][0]["text"]
    assert first.startswith("Die Gewerkschaft Deutscher Lokomotivführer (GDL) hat am Mittwochmorgen")
    assert len(body["sentences"]) == 2


def test_english_keeps_syntok_the_embeddings_and_its_profile(client: FlaskClient, seed_text: str) -> None:
    body = summarize(client, json={"text": seed_text}).get_json()
    report = body["input"]
    assert (report["language"]["code"], report["read_as"], report["splitter"], report["ranking"]) == (
        "en",
        "en",
        "syntok",
        "embeddings",
    )
    assert body["model"]["profile"] == "default"
    read = read_article(SummarizeRequest(text=seed_text))
    # English is split by syntok exactly as before the language was passed on.
    assert [s.text for s in read.sentences] == [s.text for s in split_sentences(read.article.body)]


def test_a_short_unsure_text_is_read_as_english() -> None:
    read = read_article(SummarizeRequest(text="Paris, Berlin, Madrid."))
    assert not read.language.reliable
    assert (read.reading, read.splitter) == ("en", "syntok")


def test_models_declare_how_each_language_is_handled(client: FlaskClient) -> None:
    [listed] = client.get("/v1/models").get_json()["models"]
    assert listed["languages"] == ["en"]
    support = {row["code"]: row for row in listed["language_support"]}
    assert support["en"] == {"code": "en", "name": "English", "split": "syntok", "rank": "embeddings"}
    assert support["fr"] == {"code": "fr", "name": "French", "split": "pysbd:fr", "rank": "lexical"}
    assert support["sw"]["split"] == "generic" and support["sw"]["rank"] == "lexical"
    assert support["*"] == {"code": "*", "name": "any other", "split": "generic", "rank": "lexical"}


@pytest.fixture(scope="module")
def english_only(tiny_models: dict[str, Path], load_tiny) -> Engine:
    """A real seq2seq engine (random-weight BART) declaring English only, as the manifest's
    seq2seq and instruct models do (SmolLM2 takes a minute to load on a busy machine)."""
    engine = load_tiny(tiny_models["bart"])
    engine.info = replace(engine.info, languages=("en",))
    return engine


def test_an_english_only_generative_model_refuses_other_languages_unless_forced(english_only: Engine) -> None:
    assert english_only.info.other_languages is None
    summarizer = Summarizer(english_only)
    german = (LANGUAGE_TEXTS / "de.txt").read_text(encoding="utf-8")
    with pytest.raises(UnsupportedLanguage):
        summarizer.prepare(SummarizeRequest(text=german))
    forced = summarizer.prepare(SummarizeRequest(text=german, language="force"))
    assert forced.document.language == "de" and forced.splitter == "pysbd:de"
    support = {row.code: row.rank for row in language_support(english_only.info)}
    assert (support["en"], support["de"], support["*"]) == ("generation", None, None)


def test_lexical_vectors_measure_shared_words_and_forms() -> None:
    texts = [
        "Le ministre de l'Intérieur a démissionné mardi soir.",
        "Les ministres de l'Intérieur ont démissionné.",
        "La pluie tombe sur Brest depuis trois jours.",
        "Le ministre de l'Intérieur a démissionné mardi soir.",
    ]
    vectors = LexicalEmbedder().embed(texts)
    assert vectors.shape == (4, 4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 3] == pytest.approx(1.0, abs=1e-5)  # the same sentence
    assert similarity[0, 1] > 0.3 > similarity[0, 2]  # inflected forms of the same words, then another story
    assert LexicalEmbedder().embed([]).shape == (0, 0)


def test_french_calibration_scores_and_selects_as_serving_does(french_rows: list[dict[str, Any]]) -> None:
    """The shipped French profile ranks an article in calibration exactly as serving does:
    the same read step, lexical vectors, surface features, scores and two sentences; so
    calibrate's figures are the service's."""
    profile = load_profile("orangesum-fr")
    assert profile.salience is not None and profile.salience.blocks == (SURFACE,)
    summarizer = Summarizer(load_engine(Settings(model="embedded", ranker_profile="orangesum-fr")))
    rows = french_rows[:: len(french_rows) // 5][:5]
    for row, pair in zip(rows, archive.prepare(rows), strict=True):
        article = calibrate.make_article(pair, pair.embedded_by(LexicalEmbedder()), k=2, lexical=True)
        scores = profile.score(article.rank)
        chosen = calibrate.selection(article, scores, profile.weights)
        prepared = summarizer.prepare(SummarizeRequest(text=row["article"], max_sentences=2))
        [served] = summarizer.predict([prepared])
        assert [s.text for s in prepared.document.sentences] == article.sentences
        assert [s.source.index for s in served.sentences if s.source] == chosen, row["id"]
        np.testing.assert_allclose([s.score for s in served.sentences], scores[chosen], atol=1e-5)


def test_surface_features_read_names_numbers_quotes_and_questions_in_any_script() -> None:
    texts = [
        "« Est-ce la fin du conflit ? »",
        "Le ministre Gérald Darmanin a annoncé 2 600 postes (dont 1.200 à Paris), a-t-il dit.",
        "„Das ist gut“, sagte sie: die Regierung bleibt.",
        "東京で3人が負傷した。",
    ]
    features = dict(zip(SURFACE_FEATURES, surface_features(texts).T, strict=True))
    assert list(features["question"]) == [1, 0, 0, 0]  # a question closed inside its quotes counts
    assert list(features["quoted"]) == [1, 0, 1, 0]
    assert list(features["has_digit"]) == [0, 1, 0, 1]
    assert list(features["parenthesis"]) == [0, 1, 0, 0] and list(features["colon"]) == [0, 0, 1, 0]
    assert features["log_names"][1] > features["log_names"][2] > 0 == features["log_names"][3]


def test_a_profile_ranks_its_own_language_only(engine: ExtractiveEngine, seed_text: str) -> None:
    """A French profile ranks French articles; with no English profile beside it, English ones
    are ranked by the lede, and the answer says which profile ranked each."""
    french = Profile("house-fr", RankerWeights(lede=0.0, centrality=3.0, position_decay=4.0), language="fr")
    legacy = profile_from_json({"name": "old-house", "weights": {"lede": 1.0}})
    assert legacy.language == "en"  # a file that names no language was fitted on English
    assert [profile_for([french], code).name for code in ("fr", "en", "de")] == ["house-fr", "lede", "lede"]
    both = [load_profile("cnn"), french]  # RANKER_PROFILE=cnn,house-fr.json: one per language
    assert [profile_for(both, code).name for code in ("fr", "en", "de")] == ["house-fr", "cnn", "lede"]
    # RANKER_PROFILE names some languages; the default set fills in the others, unless a named
    # profile ranks any language (centrality: the former built-in default, everywhere).
    assert [p.name for p in load_profiles("")] == ["default", "orangesum-fr"]
    assert [p.name for p in load_profiles("cnn")] == ["cnn", "orangesum-fr"]
    assert [p.name for p in load_profiles("centrality")] == ["centrality"]
    with pytest.raises(ValueError, match="two are for one language"):
        load_profiles("cnn,bbc")
    served = ExtractiveEngine(Path(engine.embedder.model.name_or_path), engine.info, profile=[french])
    assert served.info.settings["profile"] == "house-fr"
    text = (LANGUAGE_TEXTS / "fr.txt").read_text(encoding="utf-8")
    for source, expected in ((text, "house-fr"), (seed_text, "lede")):
        read = read_article(SummarizeRequest(text=source))
        document = Document(read.article.body, read.sentences, read.article.title, language=read.reading)
        [result] = served.summarize([document], [Summarizer(served).prepare(SummarizeRequest(text=source)).params])
        assert result.profile == expected


def test_calibrate_on_french_pairs_writes_a_french_lexical_profile(
    tmp_path: Path, french_rows: list[dict[str, Any]], engine: ExtractiveEngine
) -> None:
    data = tmp_path / "fr.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in french_rows[:20]), encoding="utf-8")
    out = tmp_path / "fr.json"
    args = ["--data", str(data), "--out", str(out), "--sentences", "2", "--folds", "2", "--cache", "none"]
    assert calibrate.main([*args, "--ranker", "weighted"]) == 0
    stored = json.loads(out.read_text(encoding="utf-8"))
    assert stored["language"] == "fr" and stored["ranker"] == "weighted"
    assert stored["evaluation"]["metric"].startswith("ROUGE-2 F1 x 100 at 2 sentences minus Lead-2")
    assert load_profile(str(out)).language == "fr"
    # A salience model on lexical vectors reads the named and surface features: their
    # coordinates are the article's own, so no embedding block is learned. It serves French.
    learned = tmp_path / "fr-salience.json"
    assert calibrate.main([*args[:2], "--out", str(learned), *args[4:], "--ranker", "salience"]) == 0
    profile = load_profile(str(learned))
    assert profile.language == "fr" and profile.salience is not None
    assert json.loads(learned.read_text(encoding="utf-8"))["salience"]["features"] == [*FEATURES, *SURFACE_FEATURES]
    # By default, the context model: French has no context model to start from (orangesum-fr is
    # per-sentence), so it is fitted from nothing, on the surface and named features only.
    context = tmp_path / "fr-context.json"
    assert calibrate.main([*args[:2], "--out", str(context), *args[4:]]) == 0
    fitted = json.loads(context.read_text(encoding="utf-8"))
    assert fitted["salience"]["kind"] == "context" and fitted["warm_start"] is False
    assert fitted["salience"]["features"] == [*FEATURES, *SURFACE_FEATURES] and fitted["language"] == "fr"
    served = ExtractiveEngine(Path(engine.embedder.model.name_or_path), engine.info, profile=[profile])
    request = SummarizeRequest(text=(LANGUAGE_TEXTS / "fr.txt").read_text(encoding="utf-8"))
    read = read_article(request)
    document = Document(read.article.body, read.sentences, read.article.title, language=read.reading)
    [result] = served.summarize([document], [Summarizer(served).prepare(request).params])
    assert (result.profile, result.ranking) == ("fr-salience", "lexical")
    assert result.sentences and all(chosen.source in read.sentences for chosen in result.sentences)
