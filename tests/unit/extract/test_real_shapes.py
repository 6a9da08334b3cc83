"""Issue 12: the twelve families seen on real reporting, each as a mechanism, with negatives.

The sentences are short ones written for these tests, in the shapes real wire copy, Air Force statements,
regional officials' posts and Russian MoD claims take (never copied from them).
"""

from __future__ import annotations

import pytest


def test_the_motivating_report(read) -> None:
    figures = read(
        "Ukraine downs 476 drones",
        "The air force said 476 drones were intercepted out of a record 539, and 11 cruise and ballistic "
        "missiles were launched overnight.",
    )
    assert figures["drones_launched"] == 539
    assert figures["drones_neutralized"] == 476
    assert figures["missiles_launched"] == 11
    assert "ballistic_missiles_launched" not in figures and "missiles_intercepted" not in figures


# 1. Another attack's or the other side's figure
@pytest.mark.parametrize(
    ("body", "kept", "dropped"),
    [
        ("Russia launched 90 drones overnight. The previous night it launched 120 drones and 10 missiles.", 90, 10),
        ("A day after its record attack with 539 drones, Russia launched 322 drones overnight.", 322, 539),
        ("Russia launched 70 drones overnight. Russia launched 500 drones and 20 missiles last Tuesday.", 70, 20),
        ("Russia launched 60 drones overnight. As reported earlier, it fired 44 drones and 9 missiles on Monday.", 60, 9),
        ("Russia launched 40 drones overnight. Separately, a strike on Sumy killed three people.", 40, 3),
        (
            "President Zelensky said Russia launched 70 drones overnight, and more than 1,500 drones, 1,200 bombs "
            "and 50 missiles over the past week.",
            70,
            50,
        ),
    ],
)
def test_other_nights_and_periods_are_not_this_attack(read, body: str, kept: float, dropped: float) -> None:
    figures = read("Overnight attack", body)
    assert figures["drones_launched"] == kept
    assert dropped not in figures.values()


def test_the_other_sides_claim_is_not_this_attacks_figure(read) -> None:
    figures = read(
        "Russia launched 70 drones at Ukraine overnight, the air force said",
        "Ukraine's air force said 50 of them were shot down. Russia's defence ministry said its air defences "
        "destroyed 45 Ukrainian drones over Russian regions.",
    )
    assert figures == {"drones_launched": 70, "drones_neutralized": 50}


def test_in_a_report_of_a_ukrainian_strike_the_russian_attack_is_the_other_side(report) -> None:
    found = report(
        "Russian air defences downed 30 Ukrainian drones overnight, the ministry says",
        "Meanwhile, Ukraine's air force said it shot down 59 of 102 Russian drones overnight.",
    )
    assert (found.attacker, found.target) == ("UA", "RU")
    assert {f.metric.value: f.value for f in found.figures} == {"drones_neutralized": 30}


# 2. Numbers that count something else
@pytest.mark.parametrize(
    "body",
    [
        "Russia launched 90 drones overnight; the attack came from three directions.",
        "Russia launched 90 drones overnight and left a seven-metre crater in a yard.",
        "Russia launched 90 drones overnight; a 25-storey building was damaged.",
        "Russia launched 90 drones overnight. The two drones that were not downed hit a warehouse.",
    ],
)
def test_counts_of_other_nouns_are_not_figures(read, body: str) -> None:
    assert read("Overnight attack", body) == {"drones_launched": 90}


def test_drones_that_hit_targets_are_not_neutralised(read) -> None:
    figures = read("Overnight attack", "Russia launched 90 drones overnight; 60 were shot down and 20 hit their targets.")
    assert figures == {"drones_launched": 90, "drones_neutralized": 60}


def test_one_of_the_drones_is_a_part_not_a_launch(read) -> None:
    figures = read("Drone attack on Odesa", "Debris from one of the drones fell on a house; two people were injured.")
    assert "drones_launched" not in figures and figures["injured"] == 2


# 3. Figures missed before: descriptors, singular weapons and victims, hospital, oblique cases
@pytest.mark.parametrize(
    ("title", "body", "language", "expected"),
    [
        ("Strike on Kharkiv", "Two people, including a child, were killed in the overnight Russian strike.", "en", {"killed": 2}),
        ("Strike on Dnipro", "Russia launched a ballistic missile and 40 drones at Ukraine overnight.", "en", {"missiles_launched": 1}),
        ("Attack on Sumy", "Russian drones attacked Sumy overnight. Five people were hospitalised.", "en", {"injured": 5}),
        ("Удар по Бєлгороду", "При ударі дрона по місту загинув мирний житель, повідомив губернатор.", "uk", {"killed": 1}),
        ("Атака на Белгород", "При атаке беспилотника погиб мирный житель, сообщил губернатор.", "ru", {"killed": 1}),
        ("Атака", "Вночі ворог атакував Україну сотнею ударних дронів.", "uk", {"drones_launched": 100}),
        ("Атака", "У ніч на 14 вересня росія атакувала Україну 54-ма ударними БпЛА.", "uk", {"drones_launched": 54}),
        ("Атака", "Двоє вогнеборців дістали травми під час гасіння пожежі після атаки дронів.", "uk", {"injured": 2}),
        ("Атака", "Внаслідок атаки кількість загиблих зросла до 12. Серед 12 загиблих – троє дітей.", "uk", {"killed": 12, "children_killed": 3}),
    ],
)
def test_figures_written_without_a_plain_count_and_verb(read, title, body, language, expected) -> None:
    figures = read(title, body, language=language)
    assert {metric: figures.get(metric) for metric in expected} == expected


@pytest.mark.parametrize(
    "body",
    [
        "Nobody was killed in the overnight drone attack, the governor said.",
        "Під час атаки дронів ніхто не загинув, повідомив голова ОВА.",
        "An F-16 pilot was killed while repelling the overnight drone attack.",
    ],
)
def test_no_victim_where_none_or_only_a_soldier_is_named(read, body: str) -> None:
    assert "killed" not in read("Overnight attack", body, language="uk" if "атак" in body else "en")


# 4. "All N shot down"
@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        ("Air force: all 24 Shaheds destroyed", "Air defence shot down all 24 Shaheds overnight.", "en"),
        ("Ukraine downs every drone", "Air defence destroyed every one of the 24 drones Russia sent overnight.", "en"),
        ("Overnight attack", "Russia launched 24 drones overnight, all of them were shot down.", "en"),
        ("Overnight attack", "Russia launched 24 drones overnight. All of them were shot down.", "en"),
        ("Атака", "Вночі росія випустила 24 дрони, усі 24 збиті.", "uk"),
    ],
)
def test_all_n_shot_down_gives_both_figures(read, title: str, body: str, language: str) -> None:
    figures = read(title, body, language=language)
    assert figures["drones_launched"] == 24 and figures["drones_neutralized"] == 24


def test_all_of_them_covers_every_weapon_listed(read) -> None:
    figures = read("Overnight attack", "The attack involved eight Shahed drones and three cruise missiles, all of which were shot down.")
    assert figures["drones_neutralized"] == 8 and figures["missiles_intercepted"] == 3


def test_a_plain_all_is_not_a_figure(read) -> None:
    assert read("Overnight attack", "Russia launched 24 drones overnight; not all were shot down.") == {"drones_launched": 24}


# 5. Sums across clauses
@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("Russia launched 100 drones overnight. Air defence shot down 60 drones; 30 more were lost to electronic warfare.", "en"),
        ("Вночі ворог атакував 100 дронами. Збито 60, ще 30 локаційно втрачено.", "uk"),
        ("Ночью враг атаковал 100 дронами. Сбито 60, еще 30 локационно потеряны.", "ru"),
        ("ППО знищила 60 ворожих дронів, ще 30 не змогли досягти своїх цілей. Противник запустив 100 дронів.", "uk"),
    ],
)
def test_shot_down_and_lost_add_up(read, body: str, language: str) -> None:
    figures = read("Overnight attack", body, language=language)
    assert (figures["drones_neutralized"], figures["drones_shot_down"], figures["drones_launched"]) == (90, 60, 100)


def test_another_n_adds_only_to_the_figure_right_before_it(read) -> None:
    figures = read(
        "Нічна атака",
        "Ночью ПВО уничтожили 90 украинских беспилотников. Больше всего – 63 – сбили над Брянской областью. "
        "Еще восемь дронов сбили над Ярославской областью.",
        language="ru",
    )
    assert figures["drones_neutralized"] == 90


# 6. Part versus whole
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Russia fired 18 missiles, including six Kinzhals, overnight.", {"missiles_launched": 18}),
        ("Air defence destroyed 15 of 18 missiles launched overnight.", {"missiles_launched": 18, "missiles_intercepted": 15}),
        ("Russia attacked overnight with 6 ballistic missiles, 2 of them Kinzhals, and 100 drones.", {"drones_launched": 100}),
        (
            "The ministry said 49 Ukrainian drones were downed overnight, including 25 over the Rostov region "
            "and eight over the Volgograd region.",
            {"drones_neutralized": 49},
        ),
    ],
)
def test_a_part_is_not_the_total(read, body: str, expected: dict) -> None:
    figures = read("Overnight attack", body)
    assert {metric: figures.get(metric) for metric in expected} == expected


def test_a_later_update_of_the_toll_wins(read) -> None:
    assert read("Attack on Kyiv", "Russia attacked Kyiv overnight, killing 3. The toll rose to 7 later in the day.")["killed"] == 7


def test_a_launch_under_the_interception_is_a_regional_part(read) -> None:
    figures = read(
        "Air defences downed 87 Ukrainian drones overnight, the Russian ministry says",
        "Eight drones tried to attack sites in the Voronezh region.",
    )
    assert figures == {"drones_neutralized": 87}


# 7. "Out of" variants
@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("Сили ППО знешкодили 450 з 500 дронів.", "uk"),
        ("ПВО Украины сбили 450 из 500 беспилотников этой ночью.", "ru"),
        ("Air defence shot down 450 drones out of a record 500 launched overnight.", "en"),
        ("Air defence shot down 450 out of the 500 drones overnight.", "en"),
    ],
)
def test_x_out_of_y(read, body: str, language: str) -> None:
    figures = read("Overnight attack", body, language=language)
    assert (figures["drones_launched"], figures["drones_neutralized"]) == (500, 450)


# 8. Casualty roles
def test_a_subset_of_victims_is_not_added(read) -> None:
    figures = read(
        "Strike on Sumy",
        "Five people were killed and 20 wounded, among them four children, in the Russian strike on Sumy. "
        "The strike killed five people, the mayor said.",
    )
    assert (figures["killed"], figures["injured"], figures["children_injured"]) == (5, 20, 4)


def test_a_regional_part_far_after_the_total_is_not_added(read) -> None:
    body = (
        "At least eight people were killed in Russian strikes across Ukraine overnight, officials said. "
        "Emergency crews worked through the morning in several regions, clearing rubble and restoring power. "
        "Schools in the capital switched to remote lessons, and the city council met to discuss shelters. "
        "Four of the dead were in the Khmelnytskyi region. Another three people were killed in the Kyiv region."
    )
    assert read("Overnight strikes", body)["killed"] == 8


def test_parts_stated_together_add_up(read) -> None:
    body = "У Харкові поранено сімох людей, на Дніпропетровщині — ще трьох."
    assert read("Нічна атака дронів", body, language="uk")["injured"] == 10


# 9. Combined totals
def test_means_of_air_attack_give_all_three(read) -> None:
    figures = read("Overnight attack", "Russia launched 120 means of air attack overnight: 100 drones and 20 missiles.")
    assert (figures["aerial_weapons_launched"], figures["drones_launched"], figures["missiles_launched"]) == (120, 100, 20)


def test_missiles_and_shaheds_together_are_not_missiles(read) -> None:
    figures = read("Overnight attack", "Russia attacked with 40 missiles and Shaheds overnight.")
    assert figures == {"aerial_weapons_launched": 40}


def test_threats_including_drones(read) -> None:
    figures = read("Overnight attack", "The Russian attack involved 60 aerial threats, including 50 drones, overnight.")
    assert figures["drones_launched"] == 50 and figures["aerial_weapons_launched"] == 60


# 10 and 11. Non-attack text with attack words; attack reports without figures
@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        ("Explosions heard in Kyiv, air defence in operation", "", "en"),
        ("Drone strikes hit central Kyiv", "Russian drones hit the centre of the capital overnight, officials said.", "en"),
        ("Ukraine drone strike halts operations at Russian refinery", "A fire broke out after the strike.", "en"),
        ("У Києві уламки дрона влучили в багатоповерхівку", "Постраждалих немає, повідомив мер.", "uk"),
        ("Обломки БПЛА упали на территории НПЗ", "Возник пожар, пострадавших нет.", "ru"),
    ],
)
def test_an_attack_report_needs_no_figure(report, title: str, body: str, language: str) -> None:
    assert report(title, body, language=language).is_attack


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        ("A drone light show with 500 drones lit up the city", "Crowds watched the display over the river.", "en"),
        ("Russia plans to produce 1,000 drones a day", "The intelligence chief said the plant is growing.", "en"),
        ("Vinnytsia remembers the victims of the missile strike", "27 people were killed in the strike three years ago.", "en"),
        ("Israel intercepts Iranian drones", "Israel said it shot down 100 drones launched from Iran overnight.", "en"),
        ("Russia says it destroyed 281 Ukrainian drones in the past week", "", "en"),
        ("СБУ затримала агента, який наводив шахеди на місто", "Агент передавав координати для ударів.", "uk"),
        ("В Воронежской области объявили опасность атаки БПЛА", "Жителей просят оставаться дома.", "ru"),
        ("Power outage schedules: up to 8 hours a day", "Outages follow repeated attacks on generation.", "en"),
    ],
)
def test_attack_words_without_an_attack(report, title: str, body: str, language: str) -> None:
    assert not report(title, body, language=language).is_attack


# 12. Direction
def test_a_moscow_bound_drone_is_ukraines(report) -> None:
    found = report(
        "Собянин: силами ПВО сбиты семь беспилотников, летевших на Москву",
        "Экстренные службы работают на месте падения обломков.",
        language="ru",
    )
    assert (found.attacker, found.target) == ("UA", "RU")
    assert {f.metric.value: f.value for f in found.figures} == {"drones_neutralized": 7}


def test_a_regional_breakdown_is_parts_of_the_total(read) -> None:
    figures = read(
        "Russian air defences downed 30 Ukrainian drones overnight",
        "Ten were downed over Bryansk, 12 over Kursk and 8 over Belgorod.",
    )
    assert figures == {"drones_neutralized": 30}


def test_adults_and_children_listed_together_add_up(read) -> None:
    figures = read("Удар по Київщині", "Внаслідок влучання дрона в будинок загинули молода жінка та двоє її дітей.", language="uk")
    assert (figures["killed"], figures["children_killed"]) == (3, 2)


def test_a_war_long_toll_is_no_attacks_toll(read) -> None:
    figures = read("Overnight attack", "Russia launched 90 drones overnight; more than 12,000 Ukrainian civilians have been killed.")
    assert "killed" not in figures


@pytest.mark.parametrize(
    ("title", "body", "language", "sides"),
    [
        ("Обломки БПЛА упали на территории НПЗ", "Возник пожар, сообщил оперштаб Краснодарского края.", "ru", ("UA", "RU")),
        ("Ukraine strikes Russian airbase", "Separately, Ukraine's air force said Russia launched 300 drones overnight.", "en", ("UA", "RU")),
        ("Ночью ПВО сбила четыре ракеты", "Страна-агрессор Россия ночью атаковала Украину ракетами и дронами.", "ru", ("RU", "UA")),
        ("Overnight attack", "The enemy launched 40 drones from the Kursk region overnight.", "en", ("RU", "UA")),
    ],
)
def test_sides_from_phrasing_or_the_places_named(report, title: str, body: str, language: str, sides) -> None:
    found = report(title, body, language=language)
    assert (found.attacker, found.target) == sides


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("On the night of 13-14 May Russia launched 18 Shahed drones and one Iskander-M ballistic missile.", "en"),
        ("Вночі росіяни випустили по Харкову балістичну ракету, повідомив голова ОВА.", "uk"),
    ],
)
def test_a_single_missile_a_launch_verb_governs_is_one(read, body: str, language: str) -> None:
    assert read("Overnight attack", body, language=language)["missiles_launched"] == 1


def test_a_single_drone_that_hit_is_no_launch_figure(read) -> None:
    assert "drones_launched" not in read("Drone attack on Odesa", "A Russian drone hit a warehouse in Odesa overnight.")


def test_another_n_drones_in_a_later_sentence_is_a_part(read) -> None:
    body = "Уночі ворог атакував 52 ударними БпЛА. Ще 25 дронів полетіли в бік Білорусі."
    assert read("Атака", body, language="uk")["drones_launched"] == 52


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Ukrainian drones struck the port overnight. Three crew members aboard the vessel were injured.", 3),
        ("A drone fell and exploded in the village overnight; a man suffered a concussion.", 1),
    ],
)
def test_victims_named_by_any_noun_or_injury(read, body: str, expected: int) -> None:
    assert read("Drone strike", body)["injured"] == expected


def test_a_sentence_opening_with_another_day_is_another_attack(read) -> None:
    body = (
        "Russia launched 322 drones overnight into Saturday, the air force said. "
        "On Friday, waves of drones and missiles hit Kyiv, killing one person and injuring 26."
    )
    figures = read("Overnight attack", body, published="2025-07-05T10:00:00+03:00")
    assert figures == {"drones_launched": 322}


def test_a_statement_made_on_a_weekday_keeps_its_figure(read) -> None:
    body = "Kyiv authorities said on Friday that two people were killed in the overnight drone attack."
    assert read("Overnight attack", body, published="2025-07-04T12:00:00+03:00")["killed"] == 2


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        ("Drone downed near Moscow", "Sobyanin said a drone flying towards Moscow was shot down overnight.", "en"),
        ("Собянин: сбит беспилотник", "Силами ПВО уничтожен еще один беспилотник, летевший на Москву.", "ru"),
    ],
)
def test_a_single_downed_drone_is_one_intercepted(read, title: str, body: str, language: str) -> None:
    assert read(title, body, language=language).get("drones_neutralized") == 1
