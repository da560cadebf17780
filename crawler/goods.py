"""What a security report says was seized or trafficked: the kind of drug or contraband.

A reader tells two seizures at one port on one day apart by what was seized: "27 ألفا و400
قرص إكستازي" in a coach is not "طن و300 كيلوغرام من الشيرا" in a lorry, though both are told
in the same customs phrases (scanner, Algeciras, the driver handed to the police). Reporters
name the goods by a handful of words, and rewrites keep them (they may say الحشيش for الشيرا,
القرقوبي for الأقراص المهلوسة: one kind each). Generic words (المخدرات, المؤثرات العقلية,
الممنوعات) name no kind: boilerplate uses them of every drug.
"""

from __future__ import annotations

from collections.abc import Iterable

# Content stems (crawler.text.content_stems: normalized, proclitics off) -> kind.
_KINDS = {
    "cannabis": ("شيرا", "حشيش", "قنب"),
    "cocaine": ("كوكايين", "كوكاين"),
    "heroin": ("هيروين",),
    "pills": ("قرقوبي", "ريفوتريل", "اكستازي", "اكستاسي", "مهلوس", "مهلوسه", "مهلوسا",
              "مهلوسات"),
    "alcohol": ("خمر", "خمور", "ماحيا", "مسكرات", "كحوليه"),
    "tobacco": ("سجاير", "معسل", "تبغ"),
}
_KIND_OF = {stem: kind for kind, stems in _KINDS.items() for stem in stems}


def goods_of(stems: Iterable[str]) -> frozenset[str]:
    """The kinds of goods a text names, from its content stems."""
    return frozenset(_KIND_OF[s] for s in set(stems).intersection(_KIND_OF))


def goods_disagreement(a: frozenset[str], b: frozenset[str]) -> float:
    """-1 when both name goods and none in common, up to 0 when the one naming fewer kinds
    shares all of them (or either names none). Only a disagreement is evidence: two seizures
    of the same drug by the same police in the same days are common, so naming the same kind
    says little more than the wording does; naming other kinds, two events."""
    if not a or not b:
        return 0.0
    return min(0.0, 2 * len(a & b) / min(len(a), len(b)) - 1)
