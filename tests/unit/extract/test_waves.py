"""The headline cue that a night holds a further wave (the merge stage's only text evidence of two attacks)."""

from __future__ import annotations

import pytest
from conftest import article

from streams.extract import extract


@pytest.mark.parametrize(
    ("title", "further"),
    [
        ("Russia launches second wave of drones at Kyiv after overnight attack", True),
        ("Russia strikes Odesa with missiles in second attack of the day", True),
        ("Росія запустила нову хвилю ударних дронів по Києву", True),
        ("Повторна атака дронів на Одесу: 20 БпЛА", True),
        ("Russia launches 539 drones at Ukraine overnight in second attack on Kyiv this week", False),
        ("Russia launches 539 drones and 11 missiles at Ukraine overnight", False),
    ],
)
def test_only_a_headline_naming_a_further_wave_marks_the_report(title: str, further: bool) -> None:
    report = extract(article(title, "Russia attacked Ukraine with 40 drones overnight, the air force said."))
    assert report.is_attack and report.separate_wave is further
