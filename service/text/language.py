"""Which language an article is written in, offline.

py3langid (a maintained fork of langid.py) ships its naive Bayes model inside its wheel
(4.6 MB, no download, numpy only). The detector is restricted to the languages a
newsroom is likely to receive: fewer classes make it faster and smaller in memory (the
full model's 142-column table is sliced before it is kept) and stop rare look-alike
languages from winning on short texts. A language outside the set is reported as the
nearest one in it; the set is broad enough that this matters only for rare languages.

The whole article is classified at once, so an English article that quotes a phrase
in French or Irish is still English: the quote is a handful of the text's n-grams.

The language read decides the rest of the pipeline (`reading_language`): its sentence
splitter (service/text/sentences.py), its boilerplate rules, and whether the extractive
ranker uses the embedding model or lexical features (service/ranker/lexical.py). It is
detected once per article, on the text before cleaning, and reported with the summary."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.exceptions import SummaryError

if TYPE_CHECKING:  # imported when first needed, not when the service starts
    from py3langid.langid import LanguageIdentifier

# ISO 639-1 codes the detector chooses among, with their English names.
LANGUAGES: dict[str, str] = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "ga": "Irish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "ca": "Catalan", "gl": "Galician", "eu": "Basque", "cy": "Welsh",
    "gd": "Scottish Gaelic", "br": "Breton", "da": "Danish", "sv": "Swedish", "no": "Norwegian", "fi": "Finnish",
    "is": "Icelandic", "pl": "Polish", "cs": "Czech", "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian",
    "sr": "Serbian", "hu": "Hungarian", "ro": "Romanian", "bg": "Bulgarian", "el": "Greek", "ru": "Russian",
    "uk": "Ukrainian", "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "mt": "Maltese", "tr": "Turkish",
    "ar": "Arabic", "he": "Hebrew", "fa": "Persian", "hi": "Hindi", "ur": "Urdu", "zh": "Chinese",
    "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese", "id": "Indonesian", "ms": "Malay", "tl": "Tagalog",
    "sw": "Swahili", "af": "Afrikaans",
}  # fmt: skip
# The classifier is linear in the text's length; the first part of an article decides.
MAX_DETECT_CHARS = 10_000

# What an article is read as when its language cannot be told.
DEFAULT_LANGUAGE = "en"
# `"language": "force"` in a request skips the check.
FORCE = "force"
# Below this the text is too short or too mixed to tell (a headline alone, a list of
# names): such an article is never refused. Every one of the 1,200 English dev articles
# and the test paragraphs scored 1.0 (bench/language.py); one short sentence ~0.1-0.99.
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # ISO 639-1
    name: str
    confidence: float  # the detector's probability for `code` among LANGUAGES, 0..1

    @property
    def reliable(self) -> bool:
        return self.confidence >= MIN_CONFIDENCE


class UnsupportedLanguage(SummaryError):
    """The article's language is not one the model declares; the HTTP layer maps it to 422."""

    def __init__(self, language: LanguageGuess, supported: Sequence[str]) -> None:
        names = ", ".join(f"{LANGUAGES.get(code, code)} ({code})" for code in supported)
        super().__init__(
            f"The article reads as {language.name} ({language.code}, confidence {language.confidence:.2f}); "
            f'the model supports {names}. Send "language": "force" to summarise it anyway.',
            language=language.code,
            confidence=language.confidence,
            supported_languages=list(supported),
        )
        self.language = language
        self.supported = list(supported)


_lock = threading.Lock()
_detector: LanguageIdentifier | None = None


def _build_detector() -> LanguageIdentifier:
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    from service.text.langid_walk import WindowedIdentifier

    ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
    keep = [i for i, code in enumerate(classes) if code in LANGUAGES]
    # Slicing before construction means the full 142-language table is never kept.
    return WindowedIdentifier(
        ptc[:, keep].copy(), pc[keep].copy(), [classes[i] for i in keep], nextmove, output,
        norm_probs=True, tk_row=row,
    )  # fmt: skip


def _get_detector() -> LanguageIdentifier:
    global _detector
    if _detector is None:
        with _lock:  # request threads may race to the first detection
            if _detector is None:
                _detector = _build_detector()
    return _detector


def warm_up() -> None:
    """Load the model now (e.g. before gunicorn forks) rather than on the first request."""
    _get_detector()


def detect_language(text: str) -> LanguageGuess:
    """The language of `text`, with the detector's confidence."""
    code, confidence = _get_detector().classify(text[:MAX_DETECT_CHARS])
    return LanguageGuess(code=code, name=LANGUAGES.get(code, code), confidence=round(float(confidence), 4))


def reading_language(guess: LanguageGuess) -> str:
    """The language the pipeline reads an article in: the detected one when the detector is
    sure of it, else English, the pipeline every article went through before (a headline
    alone or a list of names reads the same either way)."""
    return guess.code if guess.reliable else DEFAULT_LANGUAGE


def check_supported(guess: LanguageGuess, supported: Sequence[str] | None, force: bool = False) -> None:
    """Raise UnsupportedLanguage when `guess` is not among `supported` (unless `force`).

    A model that declares no languages (None or empty) accepts every article, and an
    unreliable guess refuses nothing: a wrong 422 costs the editor more than a summary
    from a model reading a language it handles less well."""
    if force or not supported or guess.code in supported or not guess.reliable:
        return
    raise UnsupportedLanguage(guess, supported)
