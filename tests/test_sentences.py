from service.text.sentences import split_sentences, splitter_for


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


# --- other languages (issue 21) ------------------------------------------------------------


def test_each_language_names_its_splitter() -> None:
    assert [splitter_for(code) for code in (None, "en", "fr", "de", "zh", "pt", "sw")] == [
        "syntok",
        "syntok",
        "pysbd:fr",
        "pysbd:de",
        "pysbd:zh",
        "generic",
        "generic",
    ]


def test_english_is_split_by_syntok_whatever_the_call() -> None:
    text = 'Mr. Smith went to Washington D.C. on Jan. 5. He said: "It is fine."\n\nGov. Jerry Brown signed it.'
    assert split_sentences(text, "en") == split_sentences(text) == split_sentences(text, None)


def test_french_german_spanish_and_italian_abbreviations_stay_in_their_sentence() -> None:
    cases = {
        "fr": (
            "M. Macron a parlé lundi. « Nous agirons », a-t-il dit. Mme Dupont et le Dr. Martin étaient là.",
            ["M. Macron a parlé lundi.", "« Nous agirons », a-t-il dit.", "Mme Dupont et le Dr. Martin étaient là."],
        ),
        "de": (
            "Scholz sprach am 3. Oktober in Berlin. Dr. Müller u. a. widersprachen. Die Inflation lag bei 2,5 Prozent.",
            [
                "Scholz sprach am 3. Oktober in Berlin.",
                "Dr. Müller u. a. widersprachen.",
                "Die Inflation lag bei 2,5 Prozent.",
            ],
        ),
        "es": (
            "El Sr. García llegó a las 10 a. m. a Madrid. La Sra. López no vino. ¿Qué pasará?",
            ["El Sr. García llegó a las 10 a. m. a Madrid.", "La Sra. López no vino.", "¿Qué pasará?"],
        ),
        "it": (
            "Il sig. Rossi è arrivato a Roma. Il Presidente ha parlato ieri.",
            ["Il sig. Rossi è arrivato a Roma.", "Il Presidente ha parlato ieri."],
        ),
    }
    for code, (text, expected) in cases.items():
        sentences = split_sentences(text, code)
        assert [s.text for s in sentences] == expected, code
        assert all(text[s.start : s.end] == s.text for s in sentences)


def test_sentences_glued_by_a_missing_space_are_parted() -> None:
    """OrangeSum's copy joins paragraphs without a space: "circonscription.Il maintient"."""
    text = "Il a perdu dans sa circonscription.Il maintient sa ligne. Le site lemonde.fr le dit."
    assert [s.text for s in split_sentences(text, "fr")] == [
        "Il a perdu dans sa circonscription.",
        "Il maintient sa ligne.",
        "Le site lemonde.fr le dit.",
    ]


def test_a_language_without_rules_gets_the_generic_splitter() -> None:
    swahili = "Rais alisema hivi: «Tutashinda.» Watu walifurahi sana.\n\nJ. Mwangi alikuwepo. 12345."
    assert [s.text for s in split_sentences(swahili, "sw")] == [
        "Rais alisema hivi: «Tutashinda.»",
        "Watu walifurahi sana.",
        "J. Mwangi alikuwepo.",
    ]
    chinese = "今天天气很好。我们去公园吧！你呢？"
    assert [s.text for s in split_sentences(chinese, "ko")] == ["今天天气很好。", "我们去公园吧！", "你呢？"]
    for sentence in split_sentences(swahili, "sw"):
        assert swahili[sentence.start : sentence.end] == sentence.text
