"""Page furniture: the short lines around a story that are never part of it.

A byline ("By Jane Moran", "Jane Moran, Political Correspondent"), a dateline ("Published
3 March 2024, 10:42 GMT"), a photo caption's credit ("Photograph: Jacky Chen/Reuters"), a
kicker ("BREAKING", "LIVE"), a promotional or sharing line ("READ MORE", "Share on
Facebook", "Sign up to our newsletter"). The cleaner removes them (service/text/cleaning.py)
and they are never taken for a headline (service/text/titles.py). Each rule reads one line;
whether a block is short enough to be furniture at all is the caller's decision."""

from __future__ import annotations

import re

# Credits that mark a photo or video caption.
CREDIT = re.compile(
    r"\b(?:Photograph|Photographs|Photo|Photos|Picture|Pictures|Image|Images|Illustration|"
    r"Composite|Video|Credit|Source)\s*:\s*\S"
    r"|\((?:[^()]*\b(?:Getty Images|AFP|Reuters|AP Photo|PA Wire|PA Media|EPA|Shutterstock|"
    r"Alamy|Bloomberg)\b[^()]*)\)\s*$"
    r"|^(?:Image|Media) (?:caption|copyright)\b",
    re.IGNORECASE,
)

# Promotional, sharing and navigation lines. A sharing verb counts only before what is
# shared ("Share on Facebook", "Email this story"), so that "Share prices fell." stays prose.
_NETWORKS = r"(?:twitter|x|facebook|instagram|tiktok|linkedin|threads|bluesky|whatsapp|youtube)"
LINK = re.compile(
    r"^(?:read|see|watch|listen|click|tap)\b.{0,40}\b(?:more|also|here|next|related)\b"
    r"|^(?:related|advertisement|sponsored|sign up|subscribe|share this|follow us|"
    r"most read|more on this story|you may also like)\b"
    r"|^(?:share|tweet|email|print|copy link)(?:\s+(?:this|on|via|with|to)\b[^.!?]{0,40})?$"
    r"|^(?:get|join|try|register for)\b.{0,40}\bnewsletters?\b"
    rf"|^follow\b.{{0,40}}\b{_NETWORKS}\b",
    re.IGNORECASE,
)

# A name: capitalised words, initials and particles allowed ("Jane Moran", "J. R. Smith",
# "Seán O'Brien", "Ursula von der Leyen"). Case-sensitive: "by the numbers" names nobody.
_WORD = r"[A-Z][\w'’.-]*"
_PARTICLES = r"(?:(?:de|da|di|van|von|der|den|del|la|le|bin|al)\s+)*"
_NAME = rf"{_WORD}(?:\s+{_PARTICLES}{_WORD}){{1,3}}"  # two to four words
_ANY_NAME = rf"{_WORD}(?:\s+{_PARTICLES}{_WORD}){{0,3}}"  # one to four ("By Reuters")
_AND = r"\s*(?:,|\band\b|&)\s*"
# "By Jane Moran", "By Jane Moran and Tom Lee", "Reporting by Jane Moran in Kyiv", "By Jane Moran, CNN".
_BY = re.compile(
    r"^(?i:(?:written|reported|reporting|words|story|text|interview|additional reporting)\s+)?(?i:by)\s+"
    rf"{_ANY_NAME}(?:{_AND}{_ANY_NAME})*(?:\s*(?:[,|–—-]|\bin\b|\bfor\b)(?P<rest>.{{0,80}}))?$"
)
# "Jane Moran, Political Correspondent", "Jane Moran | Business reporter", "Jane Moran - BBC News".
_NAME_ROLE = re.compile(rf"^{_NAME}(?:{_AND}{_NAME})*\s*[,|–—-]\s*(?P<rest>.{{1,80}})$")
# What follows the names is a few words, never a sentence ("Jane Doe, chief executive, said ...").
_BYLINE_REST_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_ROLE = re.compile(
    r"\b(?:correspondent|editor|reporter|writer|journalist|columnist|contributor|staff|producer|analyst|"
    r"critic|presenter|chief|bureau|desk|news|press|agency|reuters|afp|cnn|bbc)s?\b",
    re.IGNORECASE,
)

# A dateline line: every word part of a date or time, after an optional "Published"/"Updated",
# with an optional place in capitals and a source in brackets ("LONDON, March 3 (Reuters) -").
_CALENDAR = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|"
    r"thu(?:r|rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|today|yesterday"
)
_DATE_WORD = re.compile(
    rf"(?:{_CALENDAR})\.?|\d{{1,4}}(?:st|nd|rd|th)?|\d{{1,2}}[:.]\d{{2}}(?:[ap]\.?m\.?)?|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}"
    r"|[ap]\.?m\.?|ago|at|on|of|the|hours?|hrs?|minutes?|mins?|days?|weeks?",
    re.IGNORECASE,
)
_DATE_ANCHOR = re.compile(rf"\d|\b(?:{_CALENDAR}|ago)\b", re.IGNORECASE)
_ZONE_OR_PLACE = re.compile(r"[A-Z]{2,}")  # GMT, BST, ET, LONDON
_DATELINE_PREFIX = re.compile(
    r"^(?:(?:first|last)\s+)?(?:published|updated|posted|modified|created|dated?)\b(?:\s+(?:on|at))?:?\s*",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"\([A-Za-z.& ]{2,30}\)")

# A wire dateline before the story's first word: "(CNN)", "LONDON, England (Reuters) -- ",
# "Tokyo (CNN)Police say ...". It names the place and the source, not the story, and a
# sentence splitter takes "Tokyo (CNN)" for a sentence of its own.
AGENCY_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w.'’-]*(?:,? +[A-Z][\w.'’-]*){0,5},? *)?"
    r"(?P<source>\((?:[A-Z]|the )[\w.&'’ -]{0,40}?\))"
    r"(?P<dash> *(?:--|—|–|-))? *"
    r"(?=[\"'‘“(\[]?[A-Z0-9])"
)
# Labels printed above a headline or in place of one.
KICKERS = frozenset({
    "breaking", "breaking news", "live", "live updates", "live blog", "updated", "update", "exclusive",
    "just in", "developing", "developing story", "watch", "video", "analysis", "opinion", "comment",
    "explainer", "news", "latest", "as it happened", "in pictures", "in depth", "special report",
    "fact check", "sponsored", "advertisement", "obituary", "review", "interview", "editorial",
})  # fmt: skip
# A kicker set before a headline on the same line: "BREAKING: Storm hits coast".
_KICKER_PREFIX = re.compile(r"^(?P<kicker>[^:|–—]{2,25}?)\s*(?::|\||–|—|\s-)\s+(?=\S)")


def is_byline(line: str) -> bool:
    """A byline: "By" and names, or names and a role ("Jane Moran, Political Correspondent")."""
    line = line.strip()
    if len(line.split()) > 16:
        return False
    if (by := _BY.match(line)) and _short(by.group("rest")):
        return True
    named = _NAME_ROLE.match(line)
    return bool(named and _short(named.group("rest")) and _ROLE.search(named.group("rest")))


def _short(rest: str | None) -> bool:
    return rest is None or (len(rest.split()) <= _BYLINE_REST_WORDS and not _SENTENCE_END.search(rest))


def is_dateline(line: str) -> bool:
    """A line that is only a date or a time: "Published 3 March 2024", "Updated 10:42 GMT,
    Mon 4 Mar", "2 hours ago", "LONDON, March 3 (Reuters) -"."""
    rest = _SOURCE.sub(" ", _DATELINE_PREFIX.sub("", line.strip()))
    words = [w for w in (w.strip(",;|–—-·•:") for w in rest.split()) if w]
    if not words or len(words) > 14 or not _DATE_ANCHOR.search(rest):
        return False
    return all(_DATE_WORD.fullmatch(w) or _ZONE_OR_PLACE.fullmatch(w) for w in words)


def is_caption(line: str) -> bool:
    """A photo or video caption: it carries a credit ("Photograph: …", "(Getty Images)")."""
    return bool(CREDIT.search(line))


def is_link(line: str) -> bool:
    """A promotional, sharing or navigation line ("READ MORE", "Share on Facebook")."""
    return bool(LINK.search(line.strip()))


def _label(text: str) -> str:
    return " ".join(re.findall(r"[\w'’&]+", text.casefold()))


def is_kicker(line: str) -> bool:
    """A label instead of a headline: "BREAKING", "Live updates", "EXCLUSIVE:", or any line
    of at most three words set wholly in capitals."""
    if _label(line) in KICKERS:
        return True
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters) and len(line.split()) <= 3


def strip_kicker(line: str) -> str:
    """The line without a kicker in front ("EXCLUSIVE: Storm hits coast" -> "Storm hits coast")."""
    found = _KICKER_PREFIX.match(line)
    if found and _label(found.group("kicker")) in KICKERS:
        return line[found.end() :]
    return line


def agency_dateline(block: str) -> re.Match[str] | None:
    """A wire dateline at the start of this block. After a place name it must be set off
    (a dash, glued to the next word, or a place in capitals), so that "Apple (AAPL) Chief
    Executive Tim Cook said ..." keeps its first words."""
    found = AGENCY_DATELINE.match(block)
    if found is None or not (place := found.group("place")):
        return found
    glued = not block[found.end("source") :].startswith(" ")
    first_word = place.split()[0].strip(",")
    capitals = first_word.isupper() and len(first_word) > 2
    return found if found.group("dash") or glued or capitals else None
