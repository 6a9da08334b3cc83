"""Issue 14 V1: one hostile article costs the extractor a bounded amount of work, not the square of its counts."""

from __future__ import annotations

import pytest

from tocsin.records.report import Metric

from streams.extract.limits import MAX_CANDIDATES_PER_ARTICLE, MAX_COUNTS_PER_SENTENCE, MAX_FIELD_CHARS, MAX_SENTENCE_CHARS

KB48 = 48_000


def _repeated(unit: str, size: int = KB48) -> str:
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize(
    "unit",
    [
        "500 drones ",  # one sentence of thousands of coordinated counts
        "x shot down 20 drones out of 30 drones, ",
        "two three four drones were killed and 5 injured ",
        "1, 2, 3, 4, 5 drones; ",
    ],
)
def test_a_48_kb_hostile_sentence_is_read_in_pieces_with_bounded_counts(read_work, unit: str) -> None:
    report, work = read_work("Russia attacked Ukraine with drones overnight", _repeated(unit))
    assert report.is_attack
    assert work.capped and work.split_sentences >= 1
    # Every piece read holds at most the cap of counts, and pieces are at most MAX_SENTENCE_CHARS long.
    assert work.counts <= work.sentences * MAX_COUNTS_PER_SENTENCE
    assert work.sentences <= 2 * KB48 // MAX_SENTENCE_CHARS + 2


def test_an_article_stops_reading_once_it_has_given_enough_candidates(read_work) -> None:
    _report, work = read_work("Russia launched 500 drones overnight", _repeated("500 drones were shot down. "))
    assert work.skipped_sentences > 0
    assert work.sentences <= MAX_CANDIDATES_PER_ARTICLE + 1


def test_an_oversized_field_is_read_up_to_its_cap(read_work) -> None:
    _report, work = read_work("Russia attacked Ukraine", _repeated("Kyiv was calm. Drones flew. ", 3 * MAX_FIELD_CHARS))
    assert work.truncated_fields == 1


def test_a_normal_article_takes_no_cap_path_and_keeps_its_figures(read_work) -> None:
    body = "Russia launched 120 drones and 5 missiles overnight, the air force said. Air defence shot down 100 drones."
    report, work = read_work("Overnight attack", body)
    assert report.figure(Metric.DRONES_LAUNCHED).value == 120
    assert not work.capped and work.sentences == 3  # the title and two body sentences
    assert len(body) < MAX_SENTENCE_CHARS
