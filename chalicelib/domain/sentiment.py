"""Sentiment of a social post, Turkish or English: negative, neutral or positive, with a score.

A lexicon with negation, in the same folded, suffix-tolerant form routing uses
(`odeme` = `ödeme`, `memnunum` starts with `memnun`), because posts are short,
informal and often typed without Turkish letters, and a model would be heavy
for a Lambda. What the lexicon alone would get wrong is negation, which
Turkish mostly puts inside the verb or after the word:

- a negated verb (`beğenmedim`, `çalışmıyor`, `gelmedi`): the word's stem is
  followed by the negative suffix -ma/-me (folded: `m` + a vowel);
- `değil` after a word flips it (`memnun değilim`), `yok` after a word flips it
  (`sorun yok` is not a complaint), `hiç` strengthens what follows;
- English `not`, `no`, `never` and `n't` flip the next words (`not happy`,
  `no problem`).

Verbs a customer expects to happen (arrive, work, answer, solve) count as
negative when negated even though they are neutral on their own: `kargom
gelmedi`. The method and its accuracy on the labelled set in tests/ are in
docs/channels.md#social-media.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .text import fold, turkish_lower

Label = Literal["negative", "neutral", "positive"]

#: folded word prefixes and their weight
POSITIVE = {
    # Turkish
    "memnun": 2, "tesekkur": 2, "sagol": 2, "harika": 3, "super": 2, "mukemmel": 3,
    "guzel": 2, "begen": 2, "sevdim": 2, "seviyorum": 2, "hizli": 1, "basarili": 2,
    "tavsiye": 2, "iyi": 1, "kolay": 1, "sahane": 3, "bayil": 3, "sorunsuz": 2,
    "ilgili": 1, "kibar": 2, "cozuldu": 2, "cozdu": 2, "bravo": 2, "efsane": 2,
    "kaliteli": 2, "ozenli": 2, "yardimci": 1, "guler": 1, "mutlu": 2,
    # English
    "good": 1, "great": 2, "love": 2, "loved": 2, "thanks": 2, "thank": 2, "excellent": 3,
    "happy": 2, "perfect": 3, "fast": 1, "amazing": 3, "recommend": 2, "awesome": 3,
    "satisfied": 2, "helpful": 2, "quick": 1, "solved": 2, "nice": 1, "best": 2,
}  # fmt: skip
NEGATIVE = {
    # Turkish
    "berbat": 3, "rezalet": 3, "rezil": 3, "kotu": 2, "bozuk": 2, "sikayet": 2,
    "kirik": 2, "hasar": 2, "gecik": 2, "sorun": 1, "problem": 1, "ariza": 2,
    "magdur": 3, "dolandir": 3, "saygisiz": 3, "ilgisiz": 2, "pisman": 3, "yazik": 2,
    "felaket": 3, "bikt": 3, "sinir": 2, "ofke": 2, "kandir": 3, "eksik": 2, "yanlis": 2,
    "hala": 1, "rezillik": 3, "yavas": 1, "kalitesiz": 2, "sokul": 2, "kayb": 2,
    "kaba": 2, "beklet": 2, "oyal": 2, "ezik": 2, "yirtik": 2, "dusuk": 1, "uzgun": 2,
    "hayal kirik": 3,
    "asla": 2, "zarar": 2, "skandal": 3, "kabul edilemez": 3,
    # English
    "bad": 2, "terrible": 3, "awful": 3, "broken": 2, "worst": 3, "hate": 3, "late": 1,
    "refund": 1, "angry": 2, "disappointed": 3, "issue": 1, "damaged": 2,
    "useless": 3, "poor": 2, "slow": 1, "scam": 3, "rude": 3, "missing": 2, "wrong": 2,
    "still": 1, "waiting": 1, "unacceptable": 3, "ignored": 2, "delayed": 2,
}  # fmt: skip
#: verbs a customer expects to happen: neutral, but negative when they did not
EXPECTED = (
    "gel", "ulas", "calis", "cevap ver", "teslim et", "donus yap", "don", "yanit", "coz", "teslim",
    "ac", "yardim et", "gonder", "iade et", "arama", "ara", "yuklen", "sarj ol", "al", "yara",
    "ilgilen",
)  # fmt: skip
#: verbs that carry the word before them ("memnun kalmadım", "tavsiye etmiyorum", "pişman
#: olmadım", "sorun yaşamadım"): negated, they turn that word around
LIGHT_VERBS = ("kal", "et", "ed", "ol", "yap", "yasa", "eyle")
#: words that name a topic rather than a feeling: no weight in a question that is not a
#: "why" ("İade süresi kaç gün?", "Hasarlı paket gelirse ne yapmalıyım?")
TOPIC_WORDS = (
    "iade",
    "ariza",
    "bozuk",
    "hasar",
    "eksik",
    "gecik",
    "yanlis",
    "sikayet",
    "sorun",
    "problem",
    "kirik",
    "refund",
    "issue",
    "damaged",
    "broken",
    "late",
)
WHY = {"neden", "niye", "nicin", "why"}
EXPECTED_EN = ("arriv", "work", "answer", "respond", "repl", "deliver", "help", "came")
TR_FLIP_AFTER = ("degil", "yok")
EN_FLIP_BEFORE = {"not", "no", "never", "nothing", "without"}
EN_NT = {"don", "doesn", "didn", "isn", "wasn", "aren", "weren", "can", "couldn", "won", "haven"}
#: "asla" is a negative word of its own, never only a strengthener: "bir daha asla almam"
STRONGER = {"hic", "cok", "very", "so", "really", "extremely", "totally"}
QUESTION_WORDS = {"nasil", "neden", "nicin", "ne", "nerede", "nereye", "hangi", "kac", "kime",
                  "neresi", "nereden",
                  "how", "why", "when", "where", "what", "which", "can", "does", "is"}  # fmt: skip
QUESTION_PARTICLE = re.compile(r"^m[iu](?:s[iu]n(?:[iu]z)?|y[iu]m|y[iu]z)?$")
_WORD = re.compile(r"[^\W_]+")
#: -mA (gelmedi), and -(y)AmA, "could not" (alamadım, beğenemedim); not the infinitive -mAk
_NEGATED_SUFFIX = re.compile(r"^(?:y?[ae])?m[aei](?!k)")
#: the lexicons as one list, longest prefix first: "sorunsuz" is not "sorun"
_LEXICON = sorted(
    [(prefix, -weight) for prefix, weight in NEGATIVE.items()]
    + [(prefix, weight) for prefix, weight in POSITIVE.items()],
    key=lambda item: -len(item[0]),
)


@dataclass(frozen=True)
class Sentiment:
    label: Label
    score: float  # -1 (very negative) .. 1 (very positive)
    is_question: bool


def _polarity(token: str, phrase: str) -> tuple[int, bool]:
    """The weight of the word (or two-word phrase) and whether its verb is negated."""
    for prefix, weight in _LEXICON:
        if " " in prefix:
            if phrase.startswith(prefix):
                return weight, False
            continue
        if token.startswith(prefix) and (len(prefix) >= 4 or token == prefix
                                         or len(token) - len(prefix) <= 4):  # fmt: skip
            rest = token[len(prefix) :]
            return weight, bool(_NEGATED_SUFFIX.match(rest)) and weight > 0
    following = phrase.split(" ", 1)[1] if " " in phrase else ""
    for verb in EXPECTED:
        if " " in verb:  # "cevap ver": the negation is on the second word
            first, head = verb.split(" ", 1)
            negated = _NEGATED_SUFFIX.match(following[len(head) :])
            if token == first and following.startswith(head) and negated:
                return -2, False
        elif token.startswith(verb) and _NEGATED_SUFFIX.match(token[len(verb) :]):
            return -2, False
    return 0, False


def _negated_light_verb(token: str) -> bool:
    return any(
        token.startswith(verb) and _NEGATED_SUFFIX.match(token[len(verb) :]) for verb in LIGHT_VERBS
    )


def analyze(text: str) -> Sentiment:
    folded = fold(turkish_lower(text))
    tokens = _WORD.findall(folded)
    is_question = "?" in text or any(
        t in QUESTION_WORDS or QUESTION_PARTICLE.match(t) for t in tokens[:1] + tokens[-2:]
    )
    plain_question = is_question and not WHY.intersection(tokens)
    total = 0.0
    flip_next = 0
    stronger = 1.0
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        after = tokens[index + 1 : index + 3]
        if token in EN_FLIP_BEFORE or (token == "t" and index and tokens[index - 1] in EN_NT):
            flip_next = 3
            continue
        if token in STRONGER:
            stronger = 1.5
            continue
        weight, negated_verb = _polarity(token, f"{token} {following}")
        if plain_question and weight < 0 and token.startswith(TOPIC_WORDS):
            weight = 0
        expected_pair = any(f"{token} {following}".startswith(v) for v in EXPECTED if " " in v)
        if weight and not (negated_verb or expected_pair) and _negated_light_verb(following):
            negated_verb = True  # "memnun kalmadım", "pişman olmadım"
        if flip_next and not weight and token.startswith(EXPECTED_EN):
            weight, flip_next = -2, 0  # "never arrived", "doesn't work"
        if weight:
            if negated_verb and token != "asla":  # "asla ... almam" stays negative
                weight = -weight
            if any(a.startswith(TR_FLIP_AFTER) for a in after[:1]):
                weight = -weight if weight > 0 else -weight / 2
            if flip_next:
                weight = -weight if weight > 0 else -weight / 2
            total += weight * stronger
            stronger = 1.0
        flip_next = max(0, flip_next - 1)
    score = total / (abs(total) + 2)
    label: Label = "neutral"
    if score <= -0.25:
        label = "negative"
    elif score >= 0.25:
        label = "positive"
    return Sentiment(label=label, score=round(score, 3), is_question=is_question)
