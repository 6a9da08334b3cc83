"""The scanning shortcuts find exactly what a plain scan finds: the attack-word automaton, the weapon-noun gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.extract.lexicon import _HINT_STEMS, ATTACK_HINT, SINGULAR_WEAPON, SINGULAR_WEAPON_NOUN, attack_hints
from streams.extract.report import _OPENING_CHARS, _field
from streams.extract.dates import _MONTH_WORDS, DAY_MONTH
from streams.extract.parties import _RU_ATTACKS, _UA_ATTACKS
from streams.extract.text import fold
from streams.extract.window import _CUES, _cues
from tocsin.records.report import TextField

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_no_attack_stem_is_a_prefix_of_another() -> None:
    # attack_hints and the resumed scan in report._field rely on this: at most one stem starts anywhere.
    assert not [(a, b) for a in _HINT_STEMS for b in _HINT_STEMS if a != b and b.startswith(a)]


def _regex_hints(low: str) -> list[int]:
    return [m.start() for m in ATTACK_HINT.finditer(low)]


def test_attack_word_automaton_finds_what_the_regex_finds() -> None:
    tricky = fold(
        "An air attack, shot downed; 'drones' unshelled the bombay deadline. Ракетний удар, вдарили, ППО-шники,\n"
        "attacks_on x_drone 5drone l'attack Air Defence Shahed-136 обстріл, обстрілами, air attacker"
    )
    assert attack_hints(tricky) == _regex_hints(tricky)
    assert attack_hints("") == []
    assert attack_hints(tricky, 20) == [m.start() for m in ATTACK_HINT.finditer(tricky, 20)]
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            doc = json.loads(line)
            for text in (doc.get("title", ""), doc.get("summary", ""), doc.get("body", "")):
                low = fold(text or "")
                assert attack_hints(low) == _regex_hints(low)


@pytest.mark.parametrize("shift", range(-12, 3))
def test_resumed_attack_word_scan_equals_a_whole_scan(shift: int) -> None:
    filler = "Budget talks went on. " * 80
    for word in ("air defence", "drone", "shot down", "обстріл"):
        text = (filler[: _OPENING_CHARS + shift] + word + " then killed two, a missile " + filler)[:4000]
        for head in ("", "An air attack. "):
            body = head + text
            opening = fold(body[:_OPENING_CHARS])
            field = _field(TextField.BODY, body, opening, attack_hints(opening))
            assert field.low == fold(body)
            assert field.hints == _regex_hints(fold(body))


def test_every_singular_weapon_holds_a_weapon_noun() -> None:
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            doc = json.loads(line)
            for m in SINGULAR_WEAPON.finditer(fold(f"{doc.get('title', '')}\n{doc.get('body', '')}")):
                assert SINGULAR_WEAPON_NOUN.search(m.group(0))


def test_night_cue_scan_finds_what_the_plain_scan_finds() -> None:
    tricky = fold(
        "Overnight into 4 July; у  ніч на 5 липня, в\nночь на пятницу, технічна ніч з 3 на 4 червня. Thursday night "
        "and Thursday's raid, yesterday's, вчорашній, на п'ятницю, at night, last night, this morning, у ніч; "
        "ніч; в ночь. Nights of 3-4 July, минулого вечора, прошлой ночью, ночью, уніч, в ніч проти суботи"
    )
    assert [m.span() for m in _cues(tricky)] == [m.span() for m in _CUES.finditer(tricky)]
    assert _cues("") == []
    assert [m.span() for m in _cues(" у ніч на 4 липня")] == [(1, 17)]
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            doc = json.loads(line)
            for text in (doc.get("title", ""), doc.get("summary", ""), doc.get("body", "")):
                low = fold(text or "")
                assert [m.span() for m in _cues(low)] == [m.span() for m in _CUES.finditer(low)]


def test_every_day_and_month_date_names_a_month_word() -> None:
    # find_dates skips its scan where the month-word automaton finds no month.
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            low = fold(json.loads(line).get("body", ""))
            for m in DAY_MONTH.finditer(low):
                assert _MONTH_WORDS.find(low, m.start(), m.end())


def test_side_phrases_are_found_where_a_plain_scan_finds_them() -> None:
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            low = fold(json.loads(line).get("body", ""))
            for phrases in (_UA_ATTACKS, _RU_ATTACKS):
                assert [m.span() for m in phrases.finditer(low)] == [m.span() for m in phrases.pattern.finditer(low)]
