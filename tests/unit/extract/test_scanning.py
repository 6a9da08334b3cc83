"""The scanning shortcuts find exactly what a plain regex scan finds: the word automata that gate the attack-word,
night-cue, side-phrase, date, verb and context-cue scans, and the weapon-noun gate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from streams.extract.context import _CUE
from streams.extract.dates import _MONTH_WORDS, DAY_MONTH
from streams.extract.figures import _actions
from streams.extract.lexicon import (
    _HINT_STEMS,
    ACTION,
    ATTACK_HINT,
    OUT_OF_BEFORE,
    OUT_OF_ENDINGS,
    SINGULAR_VICTIM,
    SINGULAR_VICTIM_NOUN,
    SINGULAR_WEAPON,
    SINGULAR_WEAPON_FORM,
    SINGULAR_WEAPON_NOUN,
    Action,
    attack_hints,
)
from streams.extract.parties import _RU_ATTACKS, _UA_ATTACKS, side_phrases
from streams.extract.report import _OPENING_CHARS, _field
from streams.extract.text import Span, WordStartPattern, fold, sentences
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
    for text in ("a shahed", "an attack drone", "x a drone", "шахедом.", "ракетою", "ракета-носій", "дрон's"):
        if m := SINGULAR_WEAPON.search(text):
            assert SINGULAR_WEAPON_FORM.search(text, m.start(), m.end())
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            doc = json.loads(line)
            low = fold(f"{doc.get('title', '')}\n{doc.get('body', '')}")
            for m in SINGULAR_WEAPON.finditer(low):
                assert SINGULAR_WEAPON_NOUN.search(m.group(0))
                assert SINGULAR_WEAPON_FORM.search(low, m.start(), m.end())


_VICTIMS = (
    "a child", "one boy", "a girl", "a teenager", "a 45-year-old man", "a woman", "a person", "a local resident",
    "a civilian", "a pensioner", "a baby", "an infant", "a toddler", "a teen", "a fifth person", "дитина", "дитину",
    "хлопчик", "хлопчика", "хлопця", "дівчинка", "дівчинку", "чоловік", "чоловіка", "жінка", "жінку", "людина",
    "людину", "підліток", "підлітка", "пенсіонер", "пенсіонерка", "пенсіонерку", "пенсіонера", "немовля",
    "немовляти", "малюк", "малюка", "ребенок", "ребенка", "младенец", "мальчик", "мальчика", "девочка", "девочки",
    "девочку", "мужчина", "мужчины", "мужчину", "женщина", "женщины", "женщину", "подросток", "подростка",
)


def test_every_singular_victim_holds_a_victim_noun() -> None:
    # read_field and the sentence reader skip the costly SINGULAR_VICTIM scan where SINGULAR_VICTIM_NOUN finds none.
    for text in _VICTIMS:
        m = SINGULAR_VICTIM.search(text)
        assert m is not None, text
        assert SINGULAR_VICTIM_NOUN.search(text, m.start(), m.end()), text
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            doc = json.loads(line)
            low = fold(f"{doc.get('title', '')}\n{doc.get('body', '')}")
            for m in SINGULAR_VICTIM.finditer(low):
                assert SINGULAR_VICTIM_NOUN.search(low, m.start(), m.end())


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


_WEAK_WORDS = re.compile(r"(?<![\w'])(?:shahed|шахед|geran|герань|гербер|ппо)")


def test_side_phrases_are_found_where_a_plain_scan_finds_them() -> None:
    # One automaton pass finds the words of both lists and the weak words.
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            low = fold(json.loads(line).get("body", ""))
            ua, ru, weak = side_phrases(low)
            assert [m.span() for m in ua] == [m.span() for m in _UA_ATTACKS.pattern.finditer(low)]
            assert [m.span() for m in ru] == [m.span() for m in _RU_ATTACKS.pattern.finditer(low)]
            assert weak == len(_WEAK_WORDS.findall(low))


def test_verb_scan_finds_what_the_plain_scan_finds() -> None:
    tricky = fold(
        "They were 'lost' and l'attack, “shot down/suppressed”, EW and РЕБ; x'killed _killed, збито або подавлено, "
        "hits by drones, 5killed, killed"
    )
    texts = [tricky]
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            texts.append(fold(json.loads(line).get("body", "")))
    for low in texts:
        for span in (Span(0, len(low)), Span(min(7, len(low)), len(low) // 2 + 7)):
            plain = [(m.start(), m.end(), Action[m.lastgroup or ""]) for m in ACTION.finditer(low, span.start, span.end)]
            assert _actions(low, span) == plain


def test_context_cue_scan_finds_what_the_plain_scan_finds() -> None:
    tricky = fold(
        "Five days ago, weeks earlier; у тому ж, тому що, рік тому; в липні, у січні, з лютого, від січня 2024, за 3 роки, "
        "за останній тиждень. July 2025: 400 may 5 may be, a day after, a day; l'expected x_will, previously, "
        "since the start, с начала, c мая, за рік, in total since, over the past 3 days, прошлой недели."
    )
    texts = [tricky]
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            doc = json.loads(line)
            texts += [fold(doc.get("title", "") or ""), fold(doc.get("body", "") or "")]
    for low in texts:
        for start, end in [(0, len(low)), *sentences(low)]:
            plain = [m.span() for m in _CUE.pattern.finditer(low, start, end)]
            assert [m.span() for m in _CUE.finditer(low, start, end)] == plain


def test_word_start_pattern_reads_openings_off_the_pattern() -> None:
    gated = WordStartPattern(re.compile(r"(?<![\w'])(?:[ув] (?:січні|лютому)|(?:days?|weeks?) ago|тому(?! що))"))
    low = "у січні, в лютому, 2 days ago, a week ago, тому що, рік тому, xdays ago"
    assert [m.group(0) for m in gated.finditer(low)] == ["у січні", "в лютому", "days ago", "week ago", "тому"]
    with pytest.raises(ValueError):
        WordStartPattern(re.compile(r"(?<![\w'])(?:\d+ days|ago)"))  # a branch with no literal opening
    with pytest.raises(ValueError):
        WordStartPattern(re.compile(r"ago"))  # not a word-start pattern


def test_every_out_of_phrase_ends_with_a_listed_word() -> None:
    # _SentenceReader._is_total runs OUT_OF_BEFORE only on heads ending with one of OUT_OF_ENDINGS.
    heads = ["476 of ", "most of the  ", "out of\n", "of all ", "one of its ", "з усіх ", "из всех ", "'із ", "от  "]
    for path in sorted(CORPUS.glob("*/*.jsonl")):
        for line in filter(None, path.read_text(encoding="utf-8").splitlines()):
            low = fold(json.loads(line).get("body", ""))
            heads += [low[max(0, i - 20) : i] for i, ch in enumerate(low) if ch.isdigit()]
    found = [head for head in heads if OUT_OF_BEFORE.search(head)]
    assert len(found) > 9
    assert all(head.rstrip().endswith(OUT_OF_ENDINGS) for head in found)
