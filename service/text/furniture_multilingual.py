"""Page furniture in newsroom copy that is not in English: the same kinds of line as
service/text/furniture.py ("Lire aussi", "Par Jean Dupont", "PARIS (AFP) -", "Foto: dpa",
"Publié le 3 juin 2024 à 14h30"), in the languages European newsrooms write in.

The rules are not gated on the detected language: a French "Lire aussi" in a story detected
as Italian, or a Portuguese "Leia também" in a language no rule set names, is still
furniture. Each rule is anchored on a whole line (or a line's start) and the caller decides
whether a block is short enough to be furniture at all, as for the English rules, so a
sentence that merely holds these words is never touched. Names are matched with Unicode
letters ("Élise", "Łukasz", "Øyvind")."""

from __future__ import annotations

import regex

# "Read also" and its relatives, which introduce a link to another story.
_READ_ALSO = (
    # French
    r"(?:[àa] )?lire (?:aussi|également|egalement|la suite|plus)|(?:[àa] )?voir (?:aussi|également|egalement)"
    r"|[àa] (?:lire|voir|découvrir|decouvrir|écouter|ecouter) (?:aussi|également|egalement|sur le même sujet)?"
    r"|sur le même sujet|pour aller plus loin|lire l'article|voir la vidéo|retrouvez"
    # German
    r"|mehr zum thema|lesen sie (?:auch|mehr|hier|weiter)|auch interessant|weiterlesen|mehr dazu|siehe auch"
    r"|das könnte sie auch interessieren|zum thema|mehr lesen|lesetipp"
    # Spanish and Portuguese
    r"|leer (?:más|mas)|lea (?:también|tambien|más|mas)|lee (?:también|tambien|más|mas)|ver (?:también|tambien|más)"
    r"|te puede interesar|puede interesarte|también te puede interesar|noticias relacionadas|más información"
    r"|leia (?:também|mais)|veja (?:também|mais)|saiba mais|leia a seguir"
    # Italian
    r"|leggi (?:anche|tutto|di più|di piu)|vedi anche|potrebbe interessarti|approfondisci|per saperne di più"
    # Dutch, Scandinavian, Polish, Czech, Romanian
    r"|lees (?:ook|meer|verder)|zie ook|läs (?:också|mer)|les (?:også|mer)|læs (?:også|mere)"
    r"|czytaj (?:także|też|więcej|również)|zobacz (?:także|też|również)|čtěte (?:také|též)|citește (?:și|mai mult)"
    # Finnish, Hungarian, Croatian, Turkish, Greek, Russian, Ukrainian
    r"|lue myös|lue lisää|kapcsolódó|olvassa el|pročitajte (?:i|još|također)|ayrıca okuyun|ilgili haber"
    r"|διαβάστε (?:επίσης|ακόμη)|читайте (?:также|також|еще|ещё)|смотрите также"
)
# Sharing, subscription and navigation lines.
_PROMOTION = (
    r"partager|partagez|abonnez-vous|inscrivez-vous|suivez-nous|newsletter|publicité"
    r"|teilen|abonnieren|folgen sie uns|anzeige|werbung"
    r"|compartir|compartilhar|suscríbete|suscribete|síguenos|siguenos|publicidad|assine|siga-nos"
    r"|condividi|iscriviti|seguici|pubblicità"
    r"|delen|abonneer|volg ons|prenumerera|følg os|følg oss|udostępnij|subskrybuj"
)
# A linked headline may follow on the same line ("Lire aussi : Le gouvernement recule",
# "LIRE AUSSI >> ..."), but then the phrase is set off, or the linked headline opens with a
# capital and is not a sentence: "Leer más libros ayuda." stays prose.
LINK = regex.compile(
    rf"^(?:{_READ_ALSO})(?:\s*(?:$|[:>»›→|–—.-]|\.\.\.)|\s+(?=[\p{{Lu}}«\"“„])(?!.*[.!?]\s*$))"
    rf"|^(?:{_PROMOTION})\b[^.!?]{{0,60}}(?:\s?[:!])?$",
    regex.IGNORECASE,
)

# Credits that mark a photo or video caption: "Photo :", "Foto: dpa", "Crédit photo",
# "Bildquelle: …", "© AFP", "(Foto: dpa)", "LUDOVIC MARIN / AFP".
_AGENCIES = (
    r"AFP|dpa|EFE|ANSA|Reuters|AP|APA|SDA|ATS|Keystone|Belga|ANP|Imago|picture[ -]alliance|Europa Press|EPA"
    r"|Lusa|Agência Brasil|TT|NTB|Ritzau|PAP|ČTK|CTK|Getty(?: Images)?|Sipa|Hans Lucas|MAXPPP|Abaca|LaPresse"
    r"|Agenzia Nova|Adnkronos|KNA|epd|Xinhua|Anadolu|AA|Shutterstock|Istock|iStock"
)
CREDIT = regex.compile(
    r"\b(?:photos?|fotos?|fotografía|fotografia|fotografie|bild|bilder|bildquelle|bildnachweis|imagen|imagem"
    r"|immagine|illustration|ilustración|illustrazione|vidéo|vídeo|video|crédits?(?: photos?)?|credito|crédito"
    r"|créditos|quelle|fuente|fonte|foto di|foto de)\s*:\s*\S"
    r"|\bcrédits? photos?\b|\bphoto d['’]illustration\b|\bfoto de archivo\b|\barchivbild\b|\bfoto d['’]archivio\b"
    r"|©\s*\S"
    rf"|\((?:[^()]*\b(?:{_AGENCIES})\b[^()]*)\)\s*$"
    rf"|(?-i:\b\p{{Lu}}[\p{{Lu}}\s.'’-]+)\s*/\s*(?:{_AGENCIES})\b[^.!?]{{0,30}}$",
    regex.IGNORECASE | regex.VERSION1,
)

# A name in Unicode capitals, with the particles of European surnames ("Ursula von der
# Leyen", "José María de la Vega", "Jean d'Ormesson").
_WORD = r"\p{Lu}[\p{L}'’.-]*"
_PARTICLES = r"(?:(?:de|da|di|do|dos|das|du|des|del|della|van|von|der|den|ter|ten|la|le|y|zu|af|av|d['’])\s*)*"
_ANY_NAME = rf"{_WORD}(?:\s+{_PARTICLES}{_WORD}){{0,3}}"
_AND = r"\s*(?:,|&|\b(?:et|und|y|e|en|og|och|i|avec|mit|con|com|met|med|and)\b)\s*"
# "Par Jean Dupont", "Von Hans Müller und Anna Schmidt", "Por María García, corresponsal en Roma",
# "Di Mario Rossi", "Propos recueillis par Marie Martin", "Texto: Ana Pérez".
_BY_WORDS = (
    r"par|propos recueillis par|avec|von|por|di|a cura di|door|av|af|przez|napsal|napisał|napisala"
    r"|texte|textes|texto|testo|text|auteur|autor|autore|autora|redacción|rédaction|redaktion|redazione"
)
_BY = regex.compile(
    rf"^(?i:{_BY_WORDS})\s*:?\s+{_ANY_NAME}(?:{_AND}{_ANY_NAME})*"
    r"(?:\s*(?:[,|–—-]|\b(?:à|a|in|en|em|aus|da|de|depuis|from)\b)(?P<rest>.{0,80}))?$"
)
_BYLINE_REST_WORDS = 8
_SENTENCE_END = regex.compile(r"[.!?…][\"'”’»)\]]*$")

# A wire dateline before the story's first word: "PARIS (AFP) - ", "Berlin (dpa) – ",
# "MADRID, 3 jun (EFE).- ", "(ANSA) - ROMA, 12 MAG - ", "Berlin/Brüssel (dpa/AFP) -".
_PLACE = r"\p{Lu}[\p{L}.'’-]*(?:(?:[ /-]|, )\p{Lu}[\p{L}.'’-]*){0,3}"
# ANSA's place and date after the source, in capitals: "(ANSA) - ROMA, 12 MAG - ".
_PLACE_IN_CAPITALS = r"\p{Lu}[\p{Lu}'’.-]+(?: \p{Lu}[\p{Lu}'’.-]+){0,3}"
_WHEN = r"\d{1,2}\.?(?: +\p{L}{3,10}\.?)?(?: +\d{4})?"
_ONE_SOURCE = rf"(?:(?i:{_AGENCIES})|\p{{Lu}}[\p{{L}}.&' -]{{1,30}})"
_SOURCE = rf"\({_ONE_SOURCE}(?:/{_ONE_SOURCE})*\)"
_DASH = r"\s*(?:\.-|\.–|--|—|–|-|:)"
AGENCY_DATELINE = regex.compile(
    rf"^(?:(?P<place>{_PLACE})(?:,? +{_WHEN})?,? *)?(?P<source>{_SOURCE})(?P<dash>{_DASH})? *"
    rf"(?:(?P<after>{_PLACE_IN_CAPITALS}(?:,? +{_WHEN})?) +(?:--|—|–|-) *)?"
    r"(?=[\"'‘“„«(\[¿¡]?\s?[\p{Lu}\d])"
)

# A line that is only a date or a time: "Publié le 3 juin 2024 à 14h30", "Mis à jour le
# 04/06/2024", "Veröffentlicht am 3. Juni 2024, 14:30 Uhr", "Publicado el 3 de junio de 2024".
_MONTHS_DAYS = (
    r"janv(?:ier)?|févr(?:ier)?|fevr(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|août|aout|sept(?:embre)?"
    r"|oct(?:obre)?|nov(?:embre)?|déc(?:embre)?|dec(?:embre)?|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|januar|jänner|februar|märz|april|juni|juli|august|september|oktober|dezember|montag|dienstag|mittwoch"
    r"|donnerstag|freitag|samstag|sonntag|ene(?:ro)?|feb(?:rero)?|mar(?:zo)?|abr(?:il)?|may(?:o)?|jun(?:io)?"
    r"|jul(?:io)?|ago(?:sto)?|sep(?:tiembre)?|set(?:tembre)?|octubre|noviembre|dic(?:iembre)?|lunes|martes"
    r"|miércoles|jueves|viernes|sábado|domingo|gen(?:naio)?|febbraio|aprile|mag(?:gio)?|giu(?:gno)?|lug(?:lio)?"
    r"|ottobre|dicembre|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|janeiro|fevereiro|março|maio|junho"
    r"|julho|setembro|outubro|novembro|dezembro|januari|februari|maart|mei|augustus"
)
_DATELINE_PREFIX = regex.compile(
    r"^(?:publié|publie|mis à jour|modifié|actualisé|veröffentlicht|aktualisiert|zuletzt aktualisiert|stand"
    r"|publicado|actualizado|pubblicato|aggiornato|atualizado|gepubliceerd|bijgewerkt|publicerad|uppdaterad)"
    r"\b(?:\s+(?:le|am|um|el|il|em|op|den|à|a las|alle))?\s*:?\s*",
    regex.IGNORECASE,
)
_DATE_WORD = regex.compile(
    rf"(?:{_MONTHS_DAYS})\.?|\d{{1,4}}(?:er|\.|º|°)?|\d{{1,2}}\s?[:hH.]\s?\d{{2}}(?:\s?(?:uhr|h))?|\d{{1,2}}h"
    r"|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|le|à|am|um|uhr|el|de|del|a las|alle|ore|il|às|em|op|om|kl|klo|h"
    r"|mis|jour|il|y|a|vor|hace|fa|há|geleden|sedan|heures?|stunden?|horas?|ore|minutes?|minuten|minutos|minuti"
    r"|jours?|tagen?|días|giorni|dias",
    regex.IGNORECASE,
)
_DATE_ANCHOR = regex.compile(rf"\d|\b(?:{_MONTHS_DAYS})\b", regex.IGNORECASE)
_ZONE_OR_PLACE = regex.compile(r"\p{Lu}{2,}")  # CET, MEZ, PARIS


# Labels printed above a headline ("EN DIRECT", "Eilmeldung", "Última hora").
KICKERS = frozenset({
    "direct", "en direct", "vidéo", "video", "exclusif", "info", "alerte", "urgent", "analyse", "décryptage",
    "eilmeldung", "exklusiv", "liveblog", "liveticker", "kommentar", "última hora", "directo", "en directo",
    "exclusiva", "opinión", "ultim'ora", "ultima ora", "in diretta", "diretta", "esclusiva", "commento",
    "urgente", "ao vivo", "exclusivo", "opinião", "laatste nieuws", "net binnen",
})  # fmt: skip


def is_kicker(line: str) -> bool:
    """A label in place of a headline, in a language other than English ("EN DIRECT")."""
    return " ".join(regex.findall(r"[\w'’]+", line.casefold())) in KICKERS


def is_link(line: str) -> bool:
    """A "read also", sharing or subscription line in a language other than English."""
    return bool(LINK.search(line.strip()))


def is_caption(line: str) -> bool:
    """A photo or video caption, by its credit ("Foto: dpa", "Crédit photo", "© AFP")."""
    return bool(CREDIT.search(line))


def is_byline(line: str) -> bool:
    """ "Par Jean Dupont", "Von Hans Müller", "Por María García, corresponsal en Roma"."""
    line = line.strip()
    if len(line.split()) > 16:
        return False
    found = _BY.match(line)
    if found is None:
        return False
    rest = found.group("rest")
    return rest is None or (len(rest.split()) <= _BYLINE_REST_WORDS and not _SENTENCE_END.search(rest))


def is_dateline(line: str) -> bool:
    """A line that is only a date or a time, with an optional "Publié le"/"Aktualisiert am"."""
    rest = _DATELINE_PREFIX.sub("", line.strip())
    rest = regex.sub(rf"\((?i:{_AGENCIES})\)", " ", rest)
    words = [w for w in (w.strip(",;|–—-·•:") for w in rest.split()) if w]
    if not words or len(words) > 14 or not _DATE_ANCHOR.search(rest):
        return False
    return all(_DATE_WORD.fullmatch(w) or _ZONE_OR_PLACE.fullmatch(w) for w in words)


def agency_dateline(block: str) -> regex.Match[str] | None:
    """A wire dateline at the start of this block. After a place name it must be set off (a
    dash, or the place in capitals), so that "Renault (RNO) a annoncé ..." keeps its words."""
    found = AGENCY_DATELINE.match(block)
    if found is None or not found.group("place"):
        return found
    first_word = regex.split(r"[ /,-]", found.group("place"))[0]
    capitals = first_word.isupper() and len(first_word) > 2
    return found if found.group("dash") or found.group("after") or capitals else None
