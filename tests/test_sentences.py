from service.text.sentences import split_sentences


def test_abbreviations_and_quotes_stay_in_one_sentence() -> None:
    text = 'Mr. Smith went to Washington D.C. on Jan. 5. He said: "It is fine." The U.S. economy grew 2.5% in Q3.'
    assert [s.text for s in split_sentences(text)] == [
        "Mr. Smith went to Washington D.C. on Jan. 5.",
        'He said: "It is fine."',
        "The U.S. economy grew 2.5% in Q3.",
    ]


def test_a_title_before_a_name_ends_no_sentence() -> None:
    """syntok knows "Sen." but not "Gov." or "Lt.": those are joined back to the name."""
    text = "California Gov. Jerry Brown signed it. Lt. Col. Ann Lee and Rev. Al Green objected.\n\nSgt. Ray left."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "California Gov. Jerry Brown signed it.",
        "Lt. Col. Ann Lee and Rev. Al Green objected.",
        "Sgt. Ray left.",
    ]
    assert [s.index for s in sentences] == [0, 1, 2]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_spans_point_back_into_the_text() -> None:
    text = "First paragraph here.\n\nSecond one. And a “quoted” third!"
    sentences = split_sentences(text)
    assert [s.index for s in sentences] == [0, 1, 2]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


def test_pieces_without_letters_are_not_sentences() -> None:
    assert [s.text for s in split_sentences("It rained.\n\n12345.\n\n***\n\nThen it stopped.")] == [
        "It rained.",
        "Then it stopped.",
    ]
