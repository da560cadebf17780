import random
import unicodedata

import pytest

import crawler.text as text_module
from crawler.text import (
    clean_display_text,
    light_stem,
    normalize_arabic,
    normalize_paragraphs,
    strip_prefixes,
    tokens,
)

# --- normalize_arabic: one rule at a time ------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أَمْنٌ", "امن"),  # fatha, sukun, dammatan + hamza on alef
        ("مُحَمَّدٌ", "محمد"),  # shadda
        ("رَحْمٰن", "رحمن"),  # superscript alef U+0670
        ("الرَّحِيمِ ۝", "الرحيم"),  # Quranic end-of-ayah U+06DD
        ("ذٰلِكَ\u08f0", "ذلك"),  # extended Quranic mark
    ],
)
def test_strips_diacritics(raw, expected):
    assert normalize_arabic(raw) == expected


def test_strips_tatweel():
    assert normalize_arabic("الـمـغـرب") == normalize_arabic("المغرب") == "المغرب"


@pytest.mark.parametrize(
    "mark",
    [
        "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u202a", "\u202b",
        "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u2060",
        "\ufeff", "\u00ad",
    ],
)  # fmt: skip
def test_removes_invisible_marks(mark):
    assert normalize_arabic(f"{mark}الم{mark}غرب{mark}") == "المغرب"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آمال", "امال"),
        ("ٱلله", "الله"),  # alef wasla
        ("\u0672\u0673", "اا"),  # wavy hamza above/below
        ("إلى", "الي"),  # alef maksura → yeh
        ("مدرسة", "مدرسه"),  # taa marbuta → heh
        ("مؤسسة", "موسسه"),  # hamza on waw
        ("مسائل", "مسايل"),  # hamza on yeh
        ("سماء", "سماء"),  # bare hamza is a letter and stays
    ],
)
def test_folds_letter_variants(raw, expected):
    assert normalize_arabic(raw) == expected


def test_decomposed_hamza_folds_like_precomposed():
    # "ا" + U+0654 (combining hamza above) is how some editors store "أ".
    assert normalize_arabic("\u0627\u0654حمد") == normalize_arabic("أحمد") == "احمد"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("ی", "ي"), ("ې", "ي"), ("ک", "ك"), ("کتاب فارسی", "كتاب فارسي")],
)
def test_folds_persian_letters(raw, expected):
    assert normalize_arabic(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("٢٠٢٤", "2024"),
        ("۱۴۰۳", "1403"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
    ],
)
def test_digits_to_ascii(raw, expected):
    assert normalize_arabic(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﻻ", "لا"),  # lam-alef ligature
        ("ﻷ", "لا"),  # lam-alef with hamza: NFKC, then hamza folded
        ("ﺍﻟﻤﻐﺮﺏ", "المغرب"),  # isolated/initial/medial/final forms
        ("ﷲ", "الله"),  # Allah ligature (its shadda and dagger alef are stripped)
        ("ﻣﺪﺭﺳﺔ", "مدرسه"),
    ],
)
def test_presentation_forms(raw, expected):
    assert normalize_arabic(raw) == expected


def test_lowercases_latin_and_collapses_whitespace():
    assert normalize_arabic("  COVID-19\u00a0\t في \n\u2003 المغرب  ") == "covid-19 في المغرب"


def test_fullwidth_latin_via_nfkc():
    assert normalize_arabic("ＡＢＣ１２３") == "abc123"


def test_empty():
    assert normalize_arabic("") == ""
    assert normalize_arabic(" \u200f\u00a0 ") == ""


def test_variants_share_one_key():
    variants = [
        "إِلَى الْمَغْرِبِ",
        "الى المغرب",
        "إلى الـمـغـرب",
        "ﺇﻟﻰ ﺍﻟﻤﻐﺮﺏ",
        "\u200fإلى  المغرب\u200f",
    ]
    assert {normalize_arabic(v) for v in variants} == {"الي المغرب"}


IDEMPOTENCE_SAMPLES = [
    "أَمْنٌ في الـمـغـرب ٢٠٢٤",
    "ﷺ ﷽ ﻵ",
    "e\u0640\u0301",  # deleting tatweel unblocks e + acute → é
    "e\u06e3\u0323",  # deleting a Quranic mark unblocks e + dot below
    "İstanbul ẞ ﬃ",
    "\u0627\u064e\u0654",
]


@pytest.mark.parametrize("text", IDEMPOTENCE_SAMPLES)
def test_normalize_is_idempotent(text):
    once = normalize_arabic(text)
    assert normalize_arabic(once) == once
    assert unicodedata.is_normalized("NFKC", once)


def _random_mixes(count: int, seed: int) -> list[str]:
    alphabet = [
        chr(cp)
        for block in [
            (0x0600, 0x06FF), (0x08D3, 0x08FF), (0xFB50, 0xFBFF), (0xFDF0, 0xFDFF),
            (0xFE70, 0xFEFF), (0x0300, 0x036F), (0x2000, 0x206F),
        ]
        for cp in range(block[0], block[1] + 1)
    ] + list("aeoAEO İK\n\t\u00a0")  # fmt: skip
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(1, 8))) for _ in range(count)]


def test_normalize_is_idempotent_on_random_mixes():
    for text in _random_mixes(5000, seed=1):
        once = normalize_arabic(text)
        assert normalize_arabic(once) == once, [hex(ord(c)) for c in text]


def test_normalize_is_idempotent_for_every_arabic_code_point():
    for cp in [*range(0x0600, 0x0900), *range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        once = normalize_arabic(chr(cp))
        assert normalize_arabic(once) == once, hex(cp)


# --- clean_display_text --------------------------------------------------------------------


def test_display_keeps_letters_and_diacritics():
    text = "أَمْنٌ إلى مؤسسة الـمـغـرب ٢٠٢٤"
    assert clean_display_text(text) == text


def test_display_unfolds_presentation_forms_only():
    assert clean_display_text("ﻻ ﺍﻟﻤﻐﺮﺏ") == "لا المغرب"
    # Outside the presentation blocks nothing is NFKC-folded: ligatures, fullwidth, superscripts.
    assert clean_display_text("ﬁ ＡＢＣ x²") == "ﬁ ＡＢＣ x²"


def test_display_applies_nfc():
    assert clean_display_text("e\u0301") == "\u00e9"
    assert clean_display_text("\u0627\u0654") == "\u0623"


def test_display_removes_invisible_marks():
    assert clean_display_text("\ufeff\u200fالمغرب\u200e \u202bاليوم\u202c\u00ad\u200b") == (
        "المغرب اليوم"
    )


def test_display_keeps_joiners_inside_words():
    persian = "می\u200cخواهم"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_display_text(persian) == persian
    assert clean_display_text(family) == family


def test_display_drops_joiners_next_to_spaces_and_edges():
    assert clean_display_text("\u200cالمغرب\u200c \u200dاليوم\u200d") == "المغرب اليوم"


def test_display_spaces():
    assert clean_display_text("a\u00a0b\u2003c\u202fd\u3000e\t\tf   g") == "a b c d e f g"


def test_display_lines_and_paragraphs():
    raw = "\n\n  first line  \r\n  second\tline \n \n\n\u00a0\n third para\r\rfourth"
    raw += "\u2029fifth \n\n"
    assert clean_display_text(raw) == "first line\nsecond line\n\nthird para\n\nfourth\n\nfifth"


def test_display_empty():
    assert clean_display_text("") == ""
    assert clean_display_text(" \n\u200f\n\t ") == ""


@pytest.mark.parametrize("text", [*IDEMPOTENCE_SAMPLES, "a\u200d\u0301", " \u0301x\n\n\ny "])
def test_display_is_idempotent(text):
    once = clean_display_text(text)
    assert clean_display_text(once) == once


def test_display_is_idempotent_on_random_mixes():
    for text in _random_mixes(5000, seed=2):
        once = clean_display_text(text)
        assert clean_display_text(once) == once, [hex(ord(c)) for c in text]


# --- normalize_paragraphs ----------------------------------------------------------------


def test_normalize_paragraphs():
    paragraphs = ["  أول\u00a0فقرة ", "", " \u200f ", "ثانية\n\n\nفقرة", "ﻻ"]
    assert normalize_paragraphs(paragraphs) == "أول فقرة\n\nثانية\n\nفقرة\n\nلا"


def test_normalize_paragraphs_empty():
    assert normalize_paragraphs([]) == ""
    assert normalize_paragraphs(["", "  "]) == ""


# --- strip_prefixes ----------------------------------------------------------------------

SITES = ["المغرب اليوم", "هسبريس"]


@pytest.mark.parametrize(
    "title",
    [
        "المغرب اليوم - توقيف شخص",
        "المغرب اليوم – توقيف شخص",
        "المغرب اليوم — توقيف شخص",
        "المغرب اليوم ـ توقيف شخص",  # tatweel used as a dash
        "المغرب اليوم | توقيف شخص",
        "المغرب اليوم: توقيف شخص",
        "المغرب اليوم-توقيف شخص",
        "  المغرب\u00a0 اليوم  -  توقيف شخص ",
        "توقيف شخص | هسبريس",
        "توقيف شخص - هسبريس",
        "المغرب اليوم - توقيف شخص | هسبريس",
        "المغرب اليوم - المغرب اليوم - توقيف شخص",
        "المغرب اليوم - - توقيف شخص",
        "المَغرِب اليَوْم - توقيف شخص",  # diacritic variant of the name
        "الـمـغـرب الـيـوم - توقيف شخص",
        "\u200fالمغرب اليوم\u200f - توقيف شخص",
    ],
)
def test_strip_prefixes_variants(title):
    assert strip_prefixes(title, SITES) == "توقيف شخص"


def test_strip_prefixes_given_with_separator():
    assert strip_prefixes("خبر عاجل | هسبريس", ["| هسبريس"]) == "خبر عاجل"
    assert strip_prefixes("المغرب اليوم ـ خبر", ["المغرب اليوم -"]) == "خبر"


def test_strip_prefixes_hamza_variant():
    assert strip_prefixes("أخبار اليوم - خبر", ["اخبار اليوم"]) == "خبر"


def test_strip_prefixes_name_with_inner_separator():
    assert strip_prefixes("Le360 – عربي | خبر", ["Le360 - عربي"]) == "خبر"


def test_strip_prefixes_keeps_non_matching_text():
    # Only whole segments are removed: a title that merely mentions the name is untouched.
    title = "المغرب اليوم يحتفل - تقرير"
    assert strip_prefixes(title, SITES) == title
    assert strip_prefixes("كوفيد-19 في المغرب", SITES) == "كوفيد-19 في المغرب"


def test_strip_prefixes_tatweel_inside_word_is_not_a_separator():
    assert strip_prefixes("الـمـغـرب اليوم", ["الـ"]) == "الـمـغـرب اليوم"


def test_strip_prefixes_never_empties_title():
    assert strip_prefixes("هسبريس", SITES) == "هسبريس"
    assert strip_prefixes("المغرب اليوم -", SITES) == "المغرب اليوم -"


def test_strip_prefixes_keeps_display_text_of_rest():
    assert strip_prefixes("هسبريس - أَمْنٌ ٢٠٢٤", SITES) == "أَمْنٌ ٢٠٢٤"


def test_strip_prefixes_no_prefixes():
    assert strip_prefixes("  خبر - هسبريس ", []) == "خبر - هسبريس"
    assert strip_prefixes("خبر - هسبريس", [""]) == "خبر - هسبريس"


# --- tokens ---------------------------------------------------------------------------------


def test_tokens():
    assert tokens("كوفيد-19 في «المغرب»، اليوم_الوطني ٢٠٢٤!") == [
        "كوفيد", "19", "في", "المغرب", "اليوم", "الوطني", "2024",
    ]  # fmt: skip
    assert tokens("أَمْنٌ، الـمـغـرب؛ مؤسسة؟") == ["امن", "المغرب", "موسسه"]
    assert tokens("") == []


def test_long_text_takes_the_same_path_as_short():
    # Bodies use str.replace per table entry instead of str.translate; results must agree.
    for text in _random_mixes(300, seed=3):
        long_text = " ".join([text] * 80)
        assert len(long_text) >= text_module._TRANSLATE_MAX_LEN
        for table, pairs in [
            (text_module.FOLD_TABLE, text_module._FOLD_PAIRS),
            (text_module._DISPLAY_INVISIBLE_TABLE, text_module._DISPLAY_INVISIBLE_PAIRS),
        ]:
            assert text_module._fold_chars(long_text, table, pairs) == long_text.translate(table)
        expected = " ".join(normalize_arabic(text) for _ in range(80))
        assert normalize_arabic(long_text) == " ".join(expected.split())


def test_long_arabic_body():
    body = "أَمْنٌ في الـمـغـرب\u200f ٢٠٢٤، مؤسسة إلى ﻻ\u00a0شيء.\n" * 50
    assert normalize_arabic(body) == " ".join(["امن في المغرب 2024، موسسه الي لا شيء."] * 50)
    assert clean_display_text(body) == "\n".join(["أَمْنٌ في الـمـغـرب ٢٠٢٤، مؤسسة إلى لا شيء."] * 50)


@pytest.mark.parametrize(("word", "stem"), [
    ("والشرطة", "شرطه"), ("بالشرطة", "شرطه"), ("وبالشرطة", "شرطه"), ("فبالشرطة", "شرطه"),
    ("وكالشرطة", "شرطه"), ("فللشرطة", "شرطه"),
    ("وزير", "وزير"), ("وليد", "وليد"), ("بلد", "بلد"),  # a letter of the word, not a proclitic
])
def test_light_stem_strips_stacked_proclitics(word, stem):
    assert light_stem(normalize_arabic(word)) == stem
