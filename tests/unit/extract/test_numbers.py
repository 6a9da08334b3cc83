"""Counts in en/uk/ru: digits in every grouping, number words, vague quantities, qualifiers, non-counts."""

from __future__ import annotations

import pytest

from streams.extract.numbers import _QUALIFIERS, _SEVERAL, find_counts, qualified
from streams.extract.text import fold
from tocsin.records.report import Qualifier


def counts(text: str) -> list[tuple[float, str]]:
    low = fold(text)
    return [(c.value, c.qualifier.value) for c in (qualified(low, c) for c in find_counts(low))]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,000 drones", 1000),
        ("1 000 дронів", 1000),
        ("1\u00a0000 дронів", 1000),
        ("1.000 Drohnen", 1000),
        ("539 drones", 539),
        ("2,5 години", 2.5),
        ("1.5 hours", 1.5),
        ("2 тисячі дронів", 2000),
        ("1,2 тис. дронів", 1200),
    ],
)
def test_digits_in_every_grouping_convention(text: str, value: float) -> None:
    assert counts(text)[0][0] == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Sixty drones", 60),
        ("two hundred and forty-five drones", 245),
        ("a dozen missiles", 12),
        ("шістдесят ракет", 60),
        ("п'ятсот тридцять дев'ять дронів", 539),
        ("п’ятсот дронів", 500),
        ("пʼятсот дронів", 500),
        ("двоє загиблих", 2),
        ("п'ятьма ракетами", 5),
        ("дванадцятьма дронами", 12),
        ("двести беспилотников", 200),
        ("шестеро раненых", 6),
    ],
)
def test_number_words_en_uk_ru(text: str, value: float) -> None:
    assert counts(text)[0][0] == value


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("at least 2 people", 2, Qualifier.AT_LEAST),
        ("more than a hundred drones", 100, Qualifier.MORE_THAN),
        ("over 500 drones", 500, Qualifier.MORE_THAN),
        ("nearly 600 drones", 600, Qualifier.ABOUT),
        ("up to 20 missiles", 20, Qualifier.UP_TO),
        ("щонайменше 12 людей", 12, Qualifier.AT_LEAST),
        ("понад сто дронів", 100, Qualifier.MORE_THAN),
        ("близько 20 ракет", 20, Qualifier.ABOUT),
        ("не менее 5 человек", 5, Qualifier.AT_LEAST),
        ("кількість загиблих зросла до 5", 5, Qualifier.EXACT),
        ("dozens of drones", 12, Qualifier.AT_LEAST),
        ("hundreds of drones", 100, Qualifier.AT_LEAST),
        ("десятки шахедів", 10, Qualifier.AT_LEAST),
        ("сотні дронів", 100, Qualifier.AT_LEAST),
    ],
)
def test_qualifiers_and_vague_quantities(text: str, value: float, qualifier: Qualifier) -> None:
    assert counts(text)[0] == (value, qualifier.value)


@pytest.mark.parametrize(
    "text",
    [
        "at 09:00 on 4 July",
        "у ніч на 4 липня",
        "on July 4",
        "04.07.2025",
        "Shahed-136 and Kh-101, S-300, KN-23",
        "a 45-year-old man",
        "30% of the budget",
        "$1.5 billion",
        "250 мільйонів гривень",
        "aged 8, 12 and 17",
    ],
)
def test_not_counts(text: str) -> None:
    assert counts(text) == []


def test_every_qualifier_phrase_is_read_bare_or_bracketed() -> None:
    # qualified looks for a phrase only when the word before the count ends one: each phrase must still be found.
    for phrase, qualifier in _QUALIFIERS.items():
        for text in (f"{phrase} 7 drones", f"(\"{phrase} 7 drones"):
            count = qualified(text, find_counts(text)[-1])
            assert (count.qualifier, text[count.start : count.number_start].strip()) == (qualifier, phrase), text
    for phrase in _SEVERAL:
        count = qualified(f"{phrase} 7 drones", find_counts(f"{phrase} 7 drones")[-1])
        assert (count.qualifier, count.vague, count.start) == (Qualifier.AT_LEAST, True, 0), phrase
