"""House-style calibration and ranker profiles, on real articles and the real embedded model."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rouge_score import rouge_scorer

from bench.server import REPO_ROOT
from service.calibration import archive, calibrate
from service.config import Settings
from service.engines.registry import load_engine
from service.ranker.context import ContextModel
from service.ranker.profile import Profile, load_profile, profile_from_json, save_profile
from service.ranker.ranking import RankerWeights
from service.ranker.salience import EMBEDDINGS, FEATURES, SURFACE
from service.schemas import SummarizeRequest
from service.summarizer import Summarizer, read_article
from service.text.sentences import split_sentences

DATA = REPO_ROOT.parent / "shared" / "data"
CNN_TRAIN = DATA / "cnndm-train.jsonl"
DEV_SETS = {"bbc": DATA / "dev.jsonl", "cnn": DATA / "cnndm-dev.jsonl"}
DEV_SAMPLE = 6  # articles of each dev set, spread over the file


def _rows(path: Path, count: int, spread: bool = False) -> list[dict]:
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    rows = archive.read_rows(path)
    return rows[:: max(1, len(rows) // count)][:count] if spread else rows[:count]


@pytest.fixture(scope="module")
def engine():
    return load_engine(Settings(model="embedded"))


@pytest.fixture(scope="module")
def cnn_rows() -> list[dict]:
    return _rows(CNN_TRAIN, 12)


@pytest.fixture(scope="module")
def cnn_articles(cnn_rows, engine) -> list[calibrate.Article]:
    return [calibrate.make_article(p, p.embedded_by(engine.embedder)) for p in archive.prepare(cnn_rows)]


@pytest.fixture(scope="module")
def salience_profile(cnn_articles) -> Profile:
    model = calibrate.fit_salience_model(cnn_articles, "mlp")
    return Profile("house", RankerWeights(), model)


def test_an_ensemble_serves_the_mean_of_its_members_logits(cnn_articles) -> None:
    from service.ranker.salience_fit import fit_ensemble, fit_salience

    x, y = calibrate.training_matrix(cnn_articles)
    options = {"hidden": 8, "epochs": 1}
    served = fit_ensemble(x, y, members=3, seed=5, **options)
    members = [fit_salience(x, y, seed=5 + m, **options) for m in range(3)]
    assert served.layers[0][0].shape == (x.shape[1], 24)
    mean = np.mean([m.score_features(x) for m in members], axis=0)
    np.testing.assert_allclose(served.score_features(x), mean, atol=1e-9)


def test_a_feature_the_archive_never_varied_scores_nothing(cnn_articles) -> None:
    """An archive without headlines leaves the headline features at 0: the model must ignore
    a headline a request later brings, not score it with weights that were never trained."""
    from service.ranker.salience_fit import fit_ensemble

    x, y = calibrate.training_matrix(cnn_articles)
    title = list(FEATURES).index("title_raw")
    x[:, title] = 0.0
    model = fit_ensemble(x, y, members=2, hidden=8, epochs=1)
    with_headline = x.copy()
    with_headline[:, title] = 0.9
    np.testing.assert_array_equal(model.score_features(with_headline), model.score_features(x))
    assert np.any(model.layers[0][0][list(FEATURES).index("prior")])  # a varied feature keeps its weights


def test_fast_rouge2_equals_rouge_score(cnn_articles) -> None:
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    for article in cnn_articles:
        for chosen in ([0, 1, 2], [1, 4], calibrate.oracle(article)):
            expected = scorer.score(article.reference, "\n".join(article.sentences[i] for i in chosen))
            assert calibrate.rouge2(article, chosen) == pytest.approx(100 * expected["rouge2"].fmeasure, abs=1e-9)


def test_oracle_is_at_least_as_good_as_lead3(cnn_articles) -> None:
    for article in cnn_articles:
        assert calibrate.rouge2(article, calibrate.oracle(article)) >= calibrate.lead3(article) - 1e-9


def test_labels_grade_the_sentences_the_oracle_leaves_out(cnn_articles) -> None:
    for article in cnn_articles:
        _, labels = calibrate.labelled(article)
        taken = calibrate.oracle(article)
        assert (labels[taken] == 1.0).all()
        rest = np.delete(labels, taken)
        alone = np.delete([calibrate.rouge2(article, [i]) for i in range(len(labels))], taken)
        assert ((rest >= 0) & (rest <= calibrate.NEAR_MISS_WEIGHT)).all()
        assert (rest[alone == 0] == 0).all() and (np.diff(rest[np.argsort(alone)]) >= 0).all()


def test_word_budget_oracle_stays_within_lead3s_words_and_only_rises(cnn_articles) -> None:
    for article in cnn_articles:
        budget = calibrate.lead_words(article)
        words = [len(s.split()) for s in article.sentences]
        taken = calibrate.oracle(article, len(article.sentences), budget)
        assert taken and sum(words[i] for i in taken) <= budget
        best_alone = max(calibrate.rouge2(article, [i]) for i in range(len(words)) if words[i] <= budget)
        assert calibrate.rouge2(article, taken) >= best_alone - 1e-9


def test_word_budget_labels_rate_near_misses_per_word(cnn_articles) -> None:
    for article in cnn_articles:
        labels = calibrate.word_budget_labels(article)
        taken = calibrate.oracle(article, len(article.sentences), calibrate.lead_words(article))
        assert (labels[taken] == 1.0).all()
        words = np.array([max(1, len(s.split())) for s in article.sentences])
        per_word = np.array([calibrate.rouge2(article, [i]) for i in range(len(labels))]) / words
        rest, rate = np.delete(labels, taken), np.delete(per_word, taken)
        assert ((rest >= 0) & (rest <= calibrate.NEAR_MISS_WEIGHT)).all()
        assert (np.diff(rest[np.argsort(rate, kind="stable")]) >= -1e-12).all()
    # MiniLM's context model fits these; the fast tier's static vectors keep the labels at k sentences.
    first = cnn_articles[0]
    np.testing.assert_array_equal(
        calibrate.sequenced(first).labels, calibrate.word_budget_labels(first).astype(np.float32)
    )
    fast = replace(first, vectors="embedded-fast", _memo={})
    np.testing.assert_array_equal(calibrate.sequenced(fast).labels, calibrate.graded_labels(fast).astype(np.float32))
    assert any(not np.array_equal(calibrate.word_budget_labels(a), calibrate.graded_labels(a)) for a in cnn_articles)


def test_grid_table_equals_the_serving_selection_point_by_point(cnn_articles) -> None:
    points = calibrate.grid_points()[::97]
    table = calibrate.grid_table(cnn_articles, points)
    for row, weights in zip(table, points, strict=True):
        expected = calibrate.gains(cnn_articles, Profile("point", weights))
        np.testing.assert_allclose(row, expected, atol=1e-9)


@pytest.fixture(scope="module")
def summarizers(salience_profile, tmp_path_factory) -> dict[str, Summarizer]:
    """The use case serving the learned default, the former built-in one (centrality), the
    shipped cnn and bbc profiles and a learned one."""
    learned = tmp_path_factory.mktemp("profiles") / "house.json"
    save_profile(salience_profile, learned)
    return {
        name: Summarizer(load_engine(Settings(model="embedded", ranker_profile=spec)))
        for name, spec in (
            ("default", ""),
            ("centrality", "centrality"),
            ("cnn", "cnn"),
            ("bbc", "bbc"),
            ("house", str(learned)),
        )
    }


@pytest.mark.parametrize("publisher", sorted(DEV_SETS))
def test_calibration_scores_and_selects_as_serving_does(publisher: str, summarizers) -> None:
    """The article calibration fits on is the one serving ranks: same read step, same
    embeddings, same scores, same three sentences as the summary through the use case."""
    rows = _rows(DEV_SETS[publisher], DEV_SAMPLE, spread=True)
    pairs = archive.prepare(rows)
    assert len(pairs) == len(rows)
    embedder = summarizers["default"].engine.embedder
    articles = [calibrate.make_article(pair, pair.embedded_by(embedder)) for pair in pairs]
    for summarizer in summarizers.values():
        profile = summarizer.engine.profile
        for row, pair, article in zip(rows, pairs, articles, strict=True):
            scores = profile.score(article.rank)
            chosen = calibrate.selection(article, scores, profile.weights)

            prepared = summarizer.prepare(SummarizeRequest(text=row["article"], max_sentences=3))
            [served] = summarizer.predict([prepared])
            assert [s.text for s in prepared.document.sentences] == article.sentences
            assert prepared.document.title == pair.title
            assert [s.source.index for s in served.sentences] == chosen, (profile.name, row["id"])
            np.testing.assert_allclose([s.score for s in served.sentences], scores[chosen], atol=1e-6)


def test_hiding_the_headline_ranks_as_serving_the_text_without_its_headline_line(summarizers) -> None:
    """Calibration's headline-hidden article is the served one without the headline line: the
    headline has an encoder call of its own, so removing it leaves every sentence vector as it
    was (in one call with the sentences, int8's per-call scale moved them)."""
    from bench.evaluate import without_headline as without_headline_line
    from bench.profile_gains import without_headline

    rows = _rows(DEV_SETS["bbc"], DEV_SAMPLE, spread=True)
    pairs = archive.prepare(rows)
    embedder = summarizers["default"].engine.embedder
    for row, pair in zip(rows, pairs, strict=True):
        assert pair.title, "BBC dev articles carry their headline on the first line"
        hidden = without_headline(calibrate.make_article(pair, pair.embedded_by(embedder)))
        np.testing.assert_array_equal(hidden.rank.embeddings, embedder.embed(pair.sentences))
        for summarizer in (summarizers["default"], summarizers["cnn"], summarizers["bbc"]):
            profile = summarizer.engine.profile
            scores = profile.score(hidden.rank)
            prepared = summarizer.prepare(SummarizeRequest(text=without_headline_line(row)["text"], max_sentences=3))
            [served] = summarizer.predict([prepared])
            picked = [s.source.index for s in served.sentences]
            assert prepared.document.title is None
            assert [s.text for s in prepared.document.sentences] == hidden.sentences
            assert picked == calibrate.selection(hidden, scores, profile.weights)
            np.testing.assert_allclose([s.score for s in served.sentences], scores[picked], atol=1e-6)


def test_archive_lines_of_text_or_sentences_read_from_gzip(cnn_rows, tmp_path: Path) -> None:
    data = tmp_path / "archive.jsonl.gz"
    first, second = cnn_rows[:2]
    lines = [
        {"id": "a", "text": first["article"], "reference": first["reference"]},
        {
            "id": "b",
            "sentences": [s.text for s in split_sentences(second["article"])],
            "reference": second["reference"],
        },
    ]
    with gzip.open(data, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line) + "\n" for line in lines)
    given, resplit = archive.prepare(archive.read_rows(data)), archive.prepare(archive.read_rows(data), "service")
    assert [p.id for p in given] == ["a", "b"]
    assert given[1].sentences == lines[1]["sentences"]
    _, served = read_article(SummarizeRequest(text=" ".join(lines[1]["sentences"])))
    assert resplit[1].sentences == [s.text for s in served]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "no summary"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        archive.read_rows(bad)


class Refusing:
    def embed(self, texts):
        raise AssertionError("embedded again: the cache was not used")


class Counting:
    def __init__(self, embedder) -> None:
        self.embedder, self.calls = embedder, 0

    def embed(self, texts):
        self.calls += 1
        return self.embedder.embed(texts)


def test_embedding_cache_resumes_where_it_stopped(cnn_rows, engine, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(archive, "CHUNK_ARTICLES", 4)
    pairs = archive.prepare(cnn_rows)
    cache = archive.EmbeddingCache(tmp_path, "encoder", "0" * 64)
    counting = Counting(engine.embedder)
    first = cache.embed(pairs, counting, progress=False)
    assert counting.calls == len(pairs)
    for pair, embedded in zip(pairs, first, strict=True):
        np.testing.assert_array_equal(embedded, pair.embedded_by(engine.embedder))  # one call per article: no headline
    again = cache.embed(pairs, Refusing(), progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    # An interrupted run: one chunk lost, only its articles are embedded again.
    sorted(cache.folder.glob("chunk-*.npz"))[1].unlink()
    counting.calls = 0
    resumed = cache.embed(pairs, counting, progress=False)
    assert counting.calls == 4
    assert all(np.array_equal(a, b) for a, b in zip(first, resumed, strict=True))

    # A fill still running: only the chunks on disk are read, with their own articles.
    counting.calls = 0
    sorted(cache.folder.glob("chunk-*.npz"))[0].unlink()
    kept, arrays = cache.cached(pairs)
    assert counting.calls == 0 and [p.id for p in kept] == [p.id for p in pairs[4:]]
    assert all(np.array_equal(a, b) for a, b in zip(first[4:], arrays, strict=True))


def test_a_lower_cased_archive_is_read_as_the_service_reads_cased_copy() -> None:
    """split="paragraphs": one given sentence a paragraph, the wire dateline cut as the
    service cuts it from cased copy, and no sentence merged or split."""
    given = [
        "washington (cnn) -- the senate passed the bill on tuesday, sending it to the president.",
        "the vote was 68 to 32.",
        '"it is a good day," said sen. john smith, who wrote it.',
    ]
    [pair] = archive.prepare([{"id": "x", "sentences": given, "reference": "bill passes."}], split="paragraphs")
    assert pair.sentences[0].startswith("The senate passed the bill")
    assert len(pair.sentences) == 3 and pair.sentences[1:] == [
        given[1][:1].upper() + given[1][1:],
        '"it is a good day," said sen. john smith, who wrote it.',  # its first character only
    ]
    [kept] = archive.prepare([{"id": "x", "sentences": given, "reference": "bill passes."}])
    assert kept.sentences == given


def test_a_large_archive_is_read_on_several_cores_as_on_one(cnn_rows) -> None:
    """prepare's worker processes give the pairs one process gives, in order, ids included."""
    rows = [*cnn_rows, {k: v for k, v in cnn_rows[0].items() if k != "id"}]  # the last named by its number
    one, several = archive.prepare(rows, workers=1), archive.prepare(rows, workers=3)
    assert several == one and one[-1].id == str(len(rows) - 1)


def _run(argv: list[str]) -> int:
    parser = calibrate.argparse.ArgumentParser()
    calibrate.add_arguments(parser)
    return calibrate.run(parser.parse_args(argv))


def test_calibrate_writes_a_profile_the_engine_serves(cnn_rows, engine, tmp_path: Path) -> None:
    data = tmp_path / "ours.jsonl"
    rows = [{"id": r["id"], "text": r["article"], "reference": r["reference"]} for r in cnn_rows[:11]]
    paragraphs = "".join(f"<p>{s.text}</p>" for s in split_sentences(cnn_rows[11]["article"]))
    rows.append(
        {
            "id": "html",
            "html": f"<html><body><article>{paragraphs}</article></body></html>",
            "reference": cnn_rows[11]["reference"],
        }
    )
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "ours.json"
    assert _run(["--data", str(data), "--out", str(out), "--folds", "2", "--cache", "none"]) == 0

    stored = json.loads(out.read_text(encoding="utf-8"))
    # By default: the context model, fine-tuned from the shipped default (a warm start).
    assert stored["name"] == "ours" and stored["ranker"] == "salience" and stored["salience"]["kind"] == "context"
    assert stored["warm_start"] is True and stored["model"] == "context"
    assert stored["data"]["articles"] == 12 and len(stored["data"]["sha256"]) == 64
    default = load_profile("")
    assert stored["salience"]["heads"] == default.salience.heads
    assert len(stored["salience"]["layers"]) == len(default.salience.layers)
    gain = stored["evaluation"]["cross_validated"]["rouge2_minus_lead3"]
    assert gain["ci95"][0] <= gain["mean"] <= gain["ci95"][1]

    # Served through RANKER_PROFILE, as a newsroom would.
    served = Summarizer(load_engine(Settings(ranker_profile=str(out))))
    assert served.engine.info.settings["profile"] == "ours,orangesum-fr"  # French: the default set's
    prepared = served.prepare(SummarizeRequest(text=cnn_rows[0]["article"], max_sentences=3))
    [result] = served.predict([prepared])
    assert 1 <= len(result.sentences) <= 3
    assert [s.source.index for s in result.sentences] == sorted(s.source.index for s in result.sentences)
    assert engine.info.settings["profile"] == "default,orangesum-fr"


def test_a_profile_reading_encoder_layers_is_fitted_and_served_as_calibration_scores_it(
    cnn_rows, engine, tmp_path: Path, capsys
) -> None:
    """`--encoder-layers 2 4`: the archive is embedded with MiniLM's layers 2 and 4 beside its
    final one, the context model reads them, and the engine serves the file on the same vectors."""
    data = tmp_path / "ours.jsonl"
    rows = [{"id": r["id"], "text": r["article"], "reference": r["reference"]} for r in cnn_rows]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "layered.json"
    argv = ["--data", str(data), "--out", str(out), "--folds", "2", "--cache", str(tmp_path / "cache")]
    assert _run([*argv, "--encoder-layers", "2", "4"]) == 0
    # The shipped default reads no inner layers: no warm start from it, said so.
    assert "fitting from nothing" in capsys.readouterr().err
    stored = json.loads(out.read_text(encoding="utf-8"))
    assert stored["salience"]["encoder_layers"] == [2, 4] and stored["warm_start"] is False
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"{archive.served_encoder()[1]}-layers2-4"]

    layered, _ = archive.served_encoder(layers=(2, 4))
    profile = load_profile(out)
    served = Summarizer(load_engine(Settings(ranker_profile=str(out))))
    for row, pair in zip(cnn_rows[:4], archive.prepare(cnn_rows[:4]), strict=True):
        article = calibrate.make_article(pair, pair.embedded_by(layered), encoder_layers=(2, 4))
        # The final layer's columns are the vectors every other profile ranks on.
        np.testing.assert_array_equal(article.rank.embeddings, engine.embedder.embed(pair.sentences))
        assert article.rank.layers is not None and article.rank.layers.shape == (len(pair.sentences), 768)
        # Each layer's vector is normalised; they are kept at half precision (about 3 digits).
        norms = np.linalg.norm(article.rank.layers.astype(np.float32).reshape(-1, 2, 384), axis=2)
        np.testing.assert_allclose(norms, 1.0, atol=2e-3)
        scores = profile.score(article.rank)
        [result] = served.predict([served.prepare(SummarizeRequest(text=row["article"], max_sentences=3))])
        picked = [s.source.index for s in result.sentences]
        assert picked == calibrate.selection(article, scores, profile.weights)
        np.testing.assert_allclose([s.score for s in result.sentences], scores[picked], atol=1e-6)
    # A layer MiniLM lacks is refused when the engine loads, not on a request.
    salience = stored["salience"]
    broken = tmp_path / "layer9.json"
    broken.write_text(json.dumps({**stored, "salience": {**salience, "encoder_layers": [2, 9]}}), encoding="utf-8")
    with pytest.raises(ValueError, match="encoder layers are 1 to 6"):
        load_engine(Settings(ranker_profile=str(broken)))


def test_calibrate_fits_the_fast_tier_on_its_own_vectors_and_each_tier_refuses_the_other(
    cnn_rows, tmp_path: Path
) -> None:
    data = tmp_path / "ours.jsonl"
    rows = [{"id": r["id"], "text": r["article"], "reference": r["reference"]} for r in cnn_rows[:12]]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "ours-fast.json"
    argv = ["--data", str(data), "--out", str(out), "--embedder", "embedded-fast", "--folds", "2", "--cache", "none"]
    assert _run(argv) == 0
    stored = json.loads(out.read_text(encoding="utf-8"))
    # Fine-tuned from the fast tier's own head, selecting with its redundancy cosine.
    fast_default = calibrate.served_default("embedded-fast", "en")
    assert stored["encoder"] == {"model": "embedded-fast"} and stored["warm_start"] is True
    assert stored["weights"] == json.loads(json.dumps(fast_default.to_json()["weights"]))
    assert stored["salience"]["heads"] == fast_default.salience.heads
    served = Summarizer(load_engine(Settings(model="embedded-fast", ranker_profile=str(out))))
    [result] = served.predict([served.prepare(SummarizeRequest(text=cnn_rows[0]["article"], max_sentences=3))])
    assert len(result.sentences) == 3
    # A head learned on one tier's vectors is refused by the other, with the way out.
    with pytest.raises(ValueError, match="fitted on embedded-fast's sentence vectors.*--embedder embedded"):
        load_engine(Settings(ranker_profile=str(out)))
    with pytest.raises(ValueError, match="'cnn' was fitted on embedded's sentence vectors"):
        load_engine(Settings(model="embedded-fast", ranker_profile="cnn"))


def test_calibrate_learns_a_salience_model_from_a_split_archive(cnn_rows, tmp_path: Path) -> None:
    data = tmp_path / "archive.jsonl.gz"
    with gzip.open(data, "wt", encoding="utf-8") as handle:
        for row in cnn_rows:
            sentences = [s.text for s in split_sentences(row["article"])]
            handle.write(json.dumps({"id": row["id"], "sentences": sentences, "reference": row["reference"]}) + "\n")
    out, cache = tmp_path / "house.json", tmp_path / "cache"
    argv = ["--data", str(data), "--out", str(out), "--ranker", "salience", "--folds", "2", "--cache", str(cache)]
    assert _run(argv) == 0
    stored = json.loads(out.read_text(encoding="utf-8"))
    assert stored["ranker"] == "salience" and stored["salience"]["kind"] in ("logistic", "mlp")
    assert set(stored["evaluation"]["models"]) == {"logistic", "mlp"}
    assert stored["data"]["articles"] == len(cnn_rows) and list(cache.rglob("chunk-*.npz"))
    served = load_engine(Settings(ranker_profile=str(out)))
    assert served.info.settings["ranker"]["kind"] == "salience"


def test_salience_profile_round_trips_through_json(cnn_articles, salience_profile, tmp_path: Path) -> None:
    save_profile(salience_profile, tmp_path / "house.json")
    loaded = load_profile(tmp_path / "house.json")
    assert loaded.ranker == "salience" and loaded.salience.kind == "mlp"
    article = cnn_articles[0]
    np.testing.assert_allclose(loaded.score(article.rank), salience_profile.score(article.rank), atol=1e-4)
    # Oracle sentences score higher than the rest, on average, on the data it was fitted to.
    scores = salience_profile.score(article.rank)
    labels = np.zeros(len(scores), dtype=bool)
    labels[calibrate.oracle(article)] = True
    assert scores[labels].mean() > scores[~labels].mean()


@pytest.mark.parametrize("name", ["bbc", "cnn", "orangesum-fr"])
def test_shipped_profiles_load_and_say_where_they_came_from(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.meta["data"]["sha256"] and profile.meta["data"]["articles"] > 100
    assert "dev" in profile.meta["evaluation"]
    # French is ranked on lexical vectors: its model reads the surface block, not embeddings.
    expected = {"bbc": ("en", (EMBEDDINGS,)), "cnn": ("en", (EMBEDDINGS,)), "orangesum-fr": ("fr", (SURFACE,))}
    assert (profile.language, profile.salience.blocks if profile.salience else None) == expected[name]


def test_the_default_is_learned_and_the_former_default_is_a_named_profile() -> None:
    profile = load_profile("")
    assert profile.name == "default" and profile.language == "en" and isinstance(profile.salience, ContextModel)
    assert profile.meta["data"]["publishers"] and profile.salience.blocks == (EMBEDDINGS,)
    centrality = load_profile("centrality")
    assert centrality.weights == RankerWeights() and centrality.salience is None and centrality.language is None
    lede = load_profile("lede")
    assert lede.salience is None and lede.weights.centrality == lede.weights.title == lede.weights.lede == 0.0


def test_bad_profiles_are_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_profile("no-such-profile")
    with pytest.raises(ValueError, match="unknown ranker weights"):
        profile_from_json({"name": "x", "weights": {"speed": 1}})
    with pytest.raises(ValueError, match="one output"):
        profile_from_json(
            {
                "name": "x",
                "ranker": "salience",
                "salience": {
                    "mean": [0.0] * 40,
                    "scale": [1.0] * 40,
                    "layers": [{"weight": [[0.0, 0.0]] * 40, "bias": [0.0, 0.0]}],
                },
            }
        )
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_profile(bad)


def test_profile_gains_hides_the_headline_from_the_ranker_and_scores_as_calibration(engine) -> None:
    from bench import profile_gains

    pairs = archive.prepare(_rows(DEV_SETS["bbc"], DEV_SAMPLE, spread=True))
    titled = [calibrate.make_article(p, p.embedded_by(engine.embedder)) for p in pairs if p.title]
    assert titled, "BBC dev articles carry their headline on the first line"
    hidden = [profile_gains.without_headline(a) for a in titled]
    assert all(h.rank.title is None for h in hidden) and all(a.rank.title is not None for a in titled)
    default = load_profile("")
    # The learned default reads the headline, so hiding it changes what it scores.
    pairs_of_scores = [(default.score(a.rank), default.score(h.rank)) for a, h in zip(titled, hidden, strict=True)]
    assert any(not np.allclose(shown, without) for shown, without in pairs_of_scores)
    scored = profile_gains.scored(titled, default)
    assert scored["mean"] == round(float(calibrate.gains(titled, default).mean()), 3)
    assert scored["articles"] == len(titled) and 0.0 <= scored["lede_share"] <= 1.0
