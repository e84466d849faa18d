from service.domain.length import fit_in_order
from service.domain.summary import SummaryParams
from service.text.postprocess import fix_spacing, generated_sentences


def test_spacing_artifacts_are_fixed() -> None:
    assert fix_spacing("Profits rose 5 % ( to $ 3m ) , the firm said .") == "Profits rose 5% (to $3m), the firm said."
    assert fix_spacing("It 's done , they do n't care .<n>Next") == "It's done, they don't care. Next"
    assert fix_spacing("End of one.Start of two.") == "End of one. Start of two."


def test_repeats_and_an_unfinished_tail_are_dropped() -> None:
    text = "The plant will close. Workers were told on Monday. The plant will close . The union said it would"
    assert generated_sentences(text) == ["The plant will close.", "Workers were told on Monday."]


def test_text_without_any_finished_sentence_is_kept() -> None:
    assert generated_sentences("talks between the two sides") == ["talks between the two sides"]


def test_length_units_keep_whole_sentences() -> None:
    sentences = ["One two three four five.", "Six seven eight.", "Nine ten eleven twelve."]
    assert fit_in_order(sentences, SummaryParams(max_sentences=2)) == sentences[:2]
    assert fit_in_order(sentences, SummaryParams(max_words=8)) == sentences[:2]
    assert fit_in_order(sentences, SummaryParams(max_chars=len(sentences[0]) + 1 + len(sentences[1]))) == sentences[:2]
    assert fit_in_order(sentences, SummaryParams(max_chars=10)) == sentences[:1]  # never empty
