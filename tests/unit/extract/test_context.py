"""Counts that are not this attack's: other attacks, forecasts, running totals, money, non-attack articles."""

from __future__ import annotations

import pytest


def test_previous_record_in_the_same_sentence(read) -> None:
    got = read("Russia fired a record 539 drones overnight, beating the previous record of 479 set on June 9")
    assert got == {"drones_launched": 539}


def test_other_attack_days_ago(read) -> None:
    got = read(
        "Russia launches 539 drones at Kyiv overnight",
        "Five days ago Russia fired 537 drones and missiles. On June 29, Russia fired 477 drones and 60 missiles.",
    )
    assert got == {"drones_launched": 539}


def test_forecast_is_not_a_figure(read) -> None:
    got = read("Russia launched 539 drones overnight", "Officials warn the number could reach 1,000 drones a day by autumn.")
    assert got == {"drones_launched": 539}


def test_cumulative_totals(read) -> None:
    got = read(
        "Russia launched 100 drones overnight",
        "Since the start of the full-scale invasion Russia has launched more than 30,000 Shahed drones. "
        "In July, Russia launched 6,297 drones. З початку року ворог випустив 20 000 дронів.",
    )
    assert got == {"drones_launched": 100}


def test_record_since_the_invasion_is_not_a_running_total(read) -> None:
    got = read(
        "Наймасованіший удар",
        "29 грудня противник здійснив наймасованішу атаку з початку повномасштабного вторгнення: 158 засобів "
        "повітряного нападу — 122 ракети та 36 ударних БпЛА.",
        language="uk",
        published="2023-12-29T13:00:00+02:00",
    )
    assert got["aerial_weapons_launched"] == 158 and got["drones_launched"] == 36


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Ukraine aims to produce 4 million drones this year", "The government allocated $2.6 billion for 300,000 drones."),
        ("Shakhtar beat Dynamo 3-1", "Over 40,000 fans watched; the attack scored twice in 12 minutes."),
        ("Weather: 35 degrees in Kyiv", "Temperatures will reach 35 degrees, 30% chance of rain."),
        ("November: Russia launched 5,400 drones and 150 missiles", "It was the fourth month in a row with over 5,000."),
        ("Новий пакет допомоги", "До нього увійдуть ракети для Patriot і 300 дронів-перехоплювачів."),
        ("Iran launched 300 drones and missiles at Israel", "Israel said 99% were intercepted."),
        ("Reconnaissance drones", "Russian forces lost 40 Orlan-10 reconnaissance drones and 12 Lancet drones at the front line."),
    ],
)
def test_non_attack_articles(read, title: str, body: str) -> None:
    assert read(title, body) == {}


def test_no_one_is_not_one(read) -> None:
    assert "killed" not in read("Russian missiles hit Starokostiantyniv overnight", "No one was killed or injured.")


def test_one_of_the_heaviest_is_not_one_missile(read) -> None:
    got = read("Russia launched 450 drones and 71 missiles overnight, one of its heaviest missile attacks")
    assert got["missiles_launched"] == 71
