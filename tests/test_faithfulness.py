from service.engines.base import Document
from service.faithfulness import ArticleIndex
from service.text.cleaning import clean_text
from service.text.sentences import split_sentences


def _index(raw: str) -> ArticleIndex:
    article = clean_text(raw)
    return ArticleIndex(Document(article.body, split_sentences(article.body), article.title))


def test_planted_entity_number_and_quote_are_flagged(seed_text: str) -> None:
    index = _index(seed_text)
    summary = (
        "The International Atomic Energy Agency praised the 2014 talks in Beijing, "
        'calling them "a historic breakthrough for peace".'
    )
    flags = {(f.kind, f.text) for f in index.unsupported(summary)}
    assert ("entity", "International Atomic Energy Agency") in flags
    assert ("number", "2014") in flags
    assert ("quote", "a historic breakthrough for peace") in flags
    assert not any(text == "Beijing" for _, text in flags)


def test_faithful_paraphrase_is_supported_and_unflagged(seed_text: str) -> None:
    index = _index(seed_text)
    sentence = (
        "Kim Kye-gwan met China's Zhang Yesui at the foreign ministry in Beijing for talks about improving relations."
    )
    assert index.unsupported(sentence) == []
    support = index.support(sentence)
    assert support and support[0].index == 1  # "North Korea's first vice-foreign minister Kim Kye-gwan arrived …"
    quote = 'The two countries are described as being "as close as lips and teeth".'
    assert index.unsupported(quote) == []
    assert index.unsupported("The North angered China with a nuclear test in February (1950-53).") == []


def test_names_written_differently_are_supported(seed_text: str) -> None:
    index = _index(seed_text)
    assert index.unsupported("President Xi met Barack Obama in California.") == []
    assert [f.text for f in index.unsupported("President Xi met Angela Merkel in California.")] == ["Angela Merkel"]
