"""Phrasing families of attack figures in English, Ukrainian and Russian, one test per family."""

from __future__ import annotations

import pytest

AF_UK = (
    "У ніч на 4 липня (з 18:00 3 липня) противник атакував 550 засобами повітряного нападу: 539 ударними БпЛА "
    "типу Shahed та дронами-імітаторами різних типів, 11 ракетами (6 балістичними ракетами Іскандер-М/KN-23, "
    "4 крилатими ракетами Іскандер-К, 1 аеробалістичною ракетою Кинджал). Станом на 09:00 протиповітряною "
    "обороною збито/подавлено 476 ворожих БпЛА: 268 збито, 208 локаційно втрачені."
)


def test_simple_launch_sentence(read) -> None:
    assert read("Russia launched 539 drones and 11 missiles at Ukraine overnight") == {
        "drones_launched": 539,
        "missiles_launched": 11,
        "aerial_weapons_launched": 550,
    }


def test_air_force_statement_in_ukrainian(read) -> None:
    assert read("Повітряні сили", AF_UK, language="uk") == {
        "aerial_weapons_launched": 550,
        "drones_launched": 539,
        "missiles_launched": 11,
        "ballistic_missiles_launched": 6,
        "cruise_missiles_launched": 4,
        "drones_neutralized": 476,
        "drones_shot_down": 268,
    }


def test_x_of_the_y(read) -> None:
    got = read("Ukraine says it downed 476 of the 539 drones and 6 of the 11 missiles Russia fired overnight")
    assert got["drones_neutralized"] == 476 and got["drones_launched"] == 539
    assert got["missiles_intercepted"] == 6 and got["missiles_launched"] == 11


def test_x_out_of_y(read) -> None:
    got = read("Air defences shot down 61 out of 80 Russian drones overnight")
    assert got["drones_neutralized"] == 61 and got["drones_launched"] == 80


def test_ukrainian_out_of(read) -> None:
    got = read("Із 539 дронів ворога збито 476", language="uk")
    assert got["drones_launched"] == 539 and got["drones_neutralized"] == 476


def test_split_shot_down_and_lost_adds_up(read) -> None:
    got = read(
        "Russia attacks Ukraine with 539 drones overnight",
        "Air defences shot down 268 drones, while 208 were lost to electronic warfare.",
    )
    assert got["drones_neutralized"] == 476 and got["drones_shot_down"] == 268


def test_destroyed_and_lost_is_a_split_too(read) -> None:
    got = read("Russia launched 537 drones overnight", "Of them 211 drones were destroyed and 225 lost to EW.")
    assert got["drones_neutralized"] == 436 and got["drones_shot_down"] == 211


def test_lone_shot_down_is_the_headline(read) -> None:
    got = read("Ukraine shot down 476 Russian drones overnight")
    assert got == {"drones_neutralized": 476}


def test_sum_of_drones_and_missiles(read) -> None:
    got = read("Russia fired 477 drones and 60 missiles at Ukraine overnight into Sunday")
    assert got["aerial_weapons_launched"] == 537


def test_number_words_and_qualifiers(read) -> None:
    got = read("Sixty drones and a dozen missiles hit Ukraine overnight; at least two people were killed")
    assert got["drones_launched"] == 60 and got["missiles_launched"] == 12 and got["killed"] == 2


def test_casualties_en(read) -> None:
    got = read(
        "Russian drone attack on Kyiv",
        "Two people were killed and 23 injured, including three children, the mayor said.",
    )
    assert got["killed"] == 2 and got["injured"] == 23 and got["children_injured"] == 3


def test_single_unnumbered_victim(read) -> None:
    assert read("Russian drone strike on Kharkiv", "A 45-year-old man was killed, officials said.")["killed"] == 1


def test_children_alone_are_the_casualty_total(read) -> None:
    got = read("Russian missile attack overnight", "Three children aged 8, 12 and 17 were killed in Zhytomyr region.")
    assert got["killed"] == 3 and got["children_killed"] == 3


def test_death_toll_rises_uk(read) -> None:
    got = read("Кількість загиблих внаслідок ракетного удару по Києву зросла до 28", language="uk")
    assert got["killed"] == 28


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("Внаслідок атаки шахедів на Одесу загинули двоє людей, восьмеро поранені.", 2, 8),
        ("Через удар дронів по Харкову загинула жінка, ще 5 людей травмовано.", 1, 5),
        ("У Запоріжжі після ракетного удару 23 людини отримали поранення.", None, 23),
        ("В результате удара по Харькову погибли два человека, ранены 14.", 2, 14),
    ],
)
def test_casualties_uk_ru(read, text: str, killed: int | None, injured: int) -> None:
    got = read(text, language="uk")
    assert got.get("killed") == killed and got["injured"] == injured


def test_russian_drone_statement(read) -> None:
    got = read("В ночь на 4 июля противник атаковал 550 средствами воздушного нападения, сбито 476 БПЛА", language="ru")
    assert got["aerial_weapons_launched"] == 550 and got["drones_neutralized"] == 476


def test_duration(read) -> None:
    got = read("Russia launched 539 drones at Kyiv overnight", "The attack lasted about 13 hours.")
    assert got["duration_hours"] == 13


def test_coordinated_counts_share_a_passive_verb(read) -> None:
    got = read("Overnight attack", "Russia launched 324 drones and 7 missiles. 309 UAVs and 2 missiles were shot down/suppressed.")
    assert got["drones_neutralized"] == 309 and got["missiles_intercepted"] == 2


def test_of_the_noun_names_the_next_bare_counts(read) -> None:
    got = read(
        "Russia launched 43 missiles and 74 drones overnight",
        "Of the drones, 47 were shot down and 27 disappeared from radar.",
    )
    assert got["drones_neutralized"] == 74 and got["drones_shot_down"] == 47


def test_verb_of_a_later_clause_belongs_to_its_own_count(read) -> None:
    got = read("Атака", "Повітряні сили: 653 дрони та 52 ракети, з них знешкоджено 592 безпілотники і 31 ракету.", language="uk")
    assert got["drones_launched"] == 653 and got["drones_neutralized"] == 592
    assert got["missiles_launched"] == 52 and got["missiles_intercepted"] == 31


def test_missile_parts_add_up_without_a_total(read) -> None:
    got = read(
        "Overnight on 24 January the enemy attacked",
        "The enemy attacked with 375 drones, 6 ballistic missiles (S-300 / Iskander-M), 12 Kh-22 missiles, 2 Zircon and "
        "1 Kh-59/69.",
    )
    assert got["missiles_launched"] == 21 and got["ballistic_missiles_launched"] == 6


def test_bracketed_breakdown_is_not_counted_twice(read) -> None:
    got = read(
        "У ніч на 9 червня",
        "Ворог атакував 48 крилатими ракетами (38 Х-101, 8 Калібр, 2 Х-22) та 2 аеробалістичними ракетами Кинджал.",
        language="uk",
    )
    assert got["missiles_launched"] == 50 and got["cruise_missiles_launched"] == 48


def test_class_totals_add_up(read) -> None:
    got = read("Night attack", "Russia fired 18 Kh-101 cruise missiles, 4 Kh-59 guided missiles and 2 Iskander-K cruise missiles.")
    assert got["cruise_missiles_launched"] == 20 and got["missiles_launched"] == 24


def test_hits_are_not_launches(read) -> None:
    got = read("Night of 7 September", "The enemy attacked with 810 drones. Hits by 9 missiles and 54 strike UAVs were recorded.")
    assert got == {"drones_launched": 810}


def test_three_dozen(read) -> None:
    assert read("Russia fired nearly 600 drones and three dozen missiles overnight")["missiles_launched"] == 36


def test_bare_count_with_its_own_verb_is_not_listed(read) -> None:
    assert read("86 drones, 67 intercepted") == {"drones_launched": 86, "drones_neutralized": 67}


def test_quoted_lost_and_none_of_the_missiles(read) -> None:
    got = read(
        "Russia fires 131 drones, four ballistic missiles",
        "It said 72 drones were shot down and 59 more were 'lost' due to electronic countermeasures; "
        "none of the missiles were intercepted.",
    )
    assert got["drones_neutralized"] == 131 and got["drones_shot_down"] == 72 and got["missiles_intercepted"] == 0


def test_intercepted_missile_parts_add_up(read) -> None:
    got = read("Night of 6 June", "Results: 30 Kh-101, 2 Iskander-K and 6 Iskander-M/KN-23 shot down/suppressed.")
    assert got["missiles_intercepted"] == 38


def test_participle_inside_the_noun_phrase(read) -> None:
    got = read("Росія заявила про 118 збитих українських дронів за ніч", language="uk")
    assert got == {"drones_neutralized": 118}


def test_dash_between_count_and_noun(read) -> None:
    got = read("Атака 29 червня", "Противник застосував 537 засобів, з них 477 — безпілотники та імітатори, 60 — ракети.", language="uk")
    assert got["drones_launched"] == 477 and got["missiles_launched"] == 60


def test_unknown_victim_noun_next_to_casualty_verb(read) -> None:
    assert read("Odesa port hit overnight by Russian drones", "One dock worker injured.")["injured"] == 1
    assert read("Удар по Одесі", "Двоє енергетиків травмовані внаслідок атаки дронів.", language="uk")["injured"] == 2


def test_total_toll_phrase(read) -> None:
    got = read(
        "Dnipro missile strike",
        "A Russian missile attack killed 17 people. In the suburbs, a further two people were killed, bringing the "
        "total for the region to 19.",
    )
    assert got["killed"] == 19


def test_aside_between_subject_and_passive_verb(read) -> None:
    got = read(
        "Belgorod governor: drone strikes on cars",
        "One man was killed and four people, including a teenager, were injured when Ukrainian drones attacked cars.",
    )
    assert got["killed"] == 1 and got["injured"] == 4 and got["children_injured"] == 1


def test_money_with_thousand_multiplier_is_not_a_toll(read) -> None:
    got = read("Удар по Києву: 23 загиблих", "Місто виплатить родинам загиблих по 100 тисяч гривень.", language="uk")
    assert got["killed"] == 23


def test_passive_predicate_in_a_later_clause_is_the_counts_own(read) -> None:
    got = read(
        "Overnight attack",
        "Russia launched 405 drones and 28 missiles, the air force said, adding that 333 drones and 16 missiles "
        "were shot down or jammed.",
    )
    assert got["drones_launched"] == 405 and got["drones_neutralized"] == 333 and got["missiles_intercepted"] == 16


def test_absolute_with_clause_and_all_of_a_total(read) -> None:
    got = read("Night attack", "Russia fired 397 drones and 18 missiles, with 382 drones and all 18 missiles intercepted.")
    assert got["drones_launched"] == 397 and got["drones_neutralized"] == 382 and got["missiles_intercepted"] == 18


def test_count_listed_after_a_total_is_a_total(read) -> None:
    got = read("Ukraine says it intercepted most of the 405 drones and 28 missiles")
    assert got == {"drones_launched": 405, "missiles_launched": 28, "aerial_weapons_launched": 433}


def test_reversed_pair_and_fire_split_uk(read) -> None:
    got = read(
        "Удар у ніч на 12 липня",
        "Сили ППО подавили чи збили 577 дронів: 319 уражено вогнем, 258 локаційно втрачені.",
        language="uk",
    )
    assert got["drones_neutralized"] == 577 and got["drones_shot_down"] == 319


def test_own_verb_after_of_them_beats_the_aside(read) -> None:
    got = read("Ніч на 21 липня", "Уражено/подавлено 403 БпЛА — з них 200 збито, 203 локаційно втрачені.", language="uk")
    assert got["drones_neutralized"] == 403 and got["drones_shot_down"] == 200


def test_casualty_verb_of_its_own_clause_uk(read) -> None:
    got = read("Атака на Суми", "Загинув 1 чоловік, ще 4 людини дістали поранень, серед них 15-річна дівчинка.", language="uk")
    assert got["killed"] == 1 and got["injured"] == 4 and got["children_injured"] == 1


def test_time_adverbial_inside_the_noun_phrase(read) -> None:
    got = read("Атака на Росію", "У Міноборони РФ заявили про 95 знищених за ніч українських дронів.", language="uk")
    assert got == {"drones_neutralized": 95}


def test_unnumbered_weapon_listed_with_counts(read) -> None:
    got = read("Атака", "В ніч на 2 жовтня противник атакував балістичною ракетою Іскандер-М та 86 ударними БпЛА.", language="uk")
    assert got["missiles_launched"] == 1 and got["ballistic_missiles_launched"] == 1 and got["aerial_weapons_launched"] == 87
    got = read("Kharkiv", "Russian troops attacked Kharkiv with two ballistic missiles and an attack drone.")
    assert got["drones_launched"] == 1 and got["missiles_launched"] == 2


def test_unnumbered_weapon_alone_is_not_a_figure(read) -> None:
    assert read("Lviv", "A Shahed hit a warehouse on the outskirts. Nobody was hurt.") == {}


def test_single_child_victims(read) -> None:
    got = read("Russian drone attack on Kyiv", "At least two people were killed, including a baby, and 18 were injured.")
    assert got["killed"] == 2 and got["children_killed"] == 1
    got = read("Атака на Київ", "Кличко: у столиці вже 9 загиблих, серед них шестирічний хлопчик.", language="uk")
    assert got["killed"] == 9 and got["children_killed"] == 1


NOT_ATTACK_REPORTS = [
        ("Drone makers", "Some 500 companies now make drones in Ukraine, up from seven in 2022.", "en"),
        ("Drone air show draws 20,000 in Lviv", "A show of 1,500 light drones lit up the sky over Lviv.", "en"),
        (
            "Оперативна інформація станом на 08:00",
            "Минулої доби відбулося 163 бойові зіткнення. Противник завдав 2 ракетних удари із застосуванням 3 ракет.",
            "uk",
        ),
        (
            "Інтерв'ю: командир мобільної вогневої групи про 150 збитих шахедів",
            "Група за півтора року збила понад 150 ударних дронів.",
            "uk",
        ),
]


@pytest.mark.parametrize(("title", "body", "language"), NOT_ATTACK_REPORTS)
def test_not_attack_reports(read, title: str, body: str, language: str) -> None:
    assert read(title, body, language=language) == {}


@pytest.mark.parametrize(("title", "body", "language"), NOT_ATTACK_REPORTS)
def test_a_story_told_in_the_feed_summary_reads_as_in_the_body(read, title: str, body: str, language: str) -> None:
    # Most feeds carry the text in <description>, which becomes the summary, and no body.
    assert read(title, summary=body, language=language) == {}
