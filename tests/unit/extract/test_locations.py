"""Gazetteer matching: spellings, case forms, ISO codes, and no matches in plain prose."""

from __future__ import annotations

import pytest

from streams.extract.locations import PlaceMention, find_places


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(text[m.start:m.end], m.place.name, m.place.iso3166_2) for m in find_places(text)]


def _single(text: str) -> PlaceMention:
    mentions = find_places(text)
    assert len(mentions) == 1, mentions
    return mentions[0]


@pytest.mark.parametrize(
    ("text", "surface", "iso", "kind"),
    [
        ("Explosions were heard in Kyiv overnight.", "Kyiv", "UA-30", "city"),
        ("Drones attacked the Kyiv region.", "Kyiv region", "UA-32", "oblast"),
        ("Air defence was active in Kyiv Oblast.", "Kyiv Oblast", "UA-32", "oblast"),
        ("A strike on Kharkiv oblast killed two.", "Kharkiv oblast", "UA-63", "oblast"),
        ("Odesa port was hit.", "Odesa", "UA-51", "city"),
        ("Three drones over Dnipropetrovsk region.", "Dnipropetrovsk region", "UA-12", "oblast"),
        ("Drones over Dnipropetrovsk and Sumy.", "Dnipropetrovsk", "UA-12", "oblast"),
        ("Missiles struck Kryvyi Rih.", "Kryvyi Rih", "UA-12", "city"),
        ("Sevastopol bay was attacked.", "Sevastopol", "UA-40", "city"),
        ("Air raid alert across Crimea.", "Crimea", "UA-43", "oblast"),
        ("Drones hit an airfield near Engels.", "Engels", "RU-SAR", "city"),
        ("A refinery in Krasnodar Krai burned.", "Krasnodar Krai", "RU-KDA", "oblast"),
        ("Flights halted in Moscow.", "Moscow", "RU-MOW", "city"),
        ("Shelling in the Belgorod region.", "Belgorod region", "RU-BEL", "oblast"),
        ("A plant in Tatarstan was struck.", "Tatarstan", "RU-TA", "oblast"),
        ("Drones downed over Rostov-on-Don.", "Rostov-on-Don", "RU-ROS", "city"),
        ("Strike on Ivano-Frankivsk.", "Ivano-Frankivsk", "UA-26", "city"),
    ],
)
def test_english_names(text: str, surface: str, iso: str, kind: str) -> None:
    m = find_places(text)[0]
    assert (text[m.start:m.end], m.place.iso3166_2, m.place.kind) == (surface, iso, kind)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [("Kiev", "Kyiv"), ("Kharkov", "Kharkiv"), ("Odessa", "Odesa"), ("Zaporozhye", "Zaporizhzhia"),
     ("Lvov", "Lviv"), ("Dnepr", "Dnipro"), ("Kharkov region", "Kharkiv Oblast")],
)
def test_transliteration_variants(variant: str, canonical: str) -> None:
    assert _single(f"Reports from {variant} said so.").place.name == canonical


@pytest.mark.parametrize(
    ("text", "surface", "name", "iso"),
    [
        ("Вибухи лунали у Києві вночі.", "Києві", "Kyiv", "UA-30"),
        ("Поблизу Харкова збили ракету.", "Харкова", "Kharkiv", "UA-63"),
        ("На Одещині пошкоджено інфраструктуру.", "Одещині", "Odesa Oblast", "UA-51"),
        ("Атака на Харківщині тривала всю ніч.", "Харківщині", "Kharkiv Oblast", "UA-63"),
        ("Ворог атакував Львівщину дронами.", "Львівщину", "Lviv Oblast", "UA-46"),
        ("У Дніпрі пролунали вибухи.", "Дніпрі", "Dnipro", "UA-12"),
        ("У Запоріжжі пошкоджено будинки.", "Запоріжжі", "Zaporizhzhia", "UA-23"),
        ("У Харківській області є поранені.", "Харківській області", "Kharkiv Oblast", "UA-63"),
        ("Мешканці Харківської області отримали попередження.", "Харківської області", "Kharkiv Oblast", "UA-63"),
        ("Поблизу Кривого Рогу впали уламки.", "Кривого Рогу", "Kryvyi Rih", "UA-12"),
        ("Удар по Білій Церкві.", "Білій Церкві", "Bila Tserkva", "UA-32"),
        ("Бої за Часів Яр тривають.", "Часів Яр", "Chasiv Yar", "UA-14"),
        ("Збито дрони над Донеччиною.", "Донеччиною", "Donetsk Oblast", "UA-14"),
        ("На Київщині працювала ППО.", "Київщині", "Kyiv Oblast", "UA-32"),
    ],
)
def test_ukrainian_case_forms(text: str, surface: str, name: str, iso: str) -> None:
    m = _single(text)
    assert (text[m.start:m.end], m.place.name, m.place.iso3166_2) == (surface, name, iso)


@pytest.mark.parametrize(
    ("text", "surface", "name", "iso"),
    [
        ("Беспилотники сбиты над территорией Брянской области.", "Брянской области", "Bryansk Oblast", "RU-BRY"),
        ("Аэропорты Москвы закрыты.", "Москвы", "Moscow", "RU-MOW"),
        ("В Москве объявлена угроза.", "Москве", "Moscow", "RU-MOW"),
        ("Пожар в Курской области.", "Курской области", "Kursk Oblast", "RU-KRS"),
        ("Взрывы в Харькове.", "Харькове", "Kharkiv", "UA-63"),
        ("НПЗ в Краснодарском крае горит.", "Краснодарском крае", "Krasnodar Krai", "RU-KDA"),
        ("Атака на Республику Татарстан.", "Республику Татарстан", "Republic of Tatarstan", "RU-TA"),
        ("Дроны над Белгородом.", "Белгородом", "Belgorod", "RU-BEL"),
    ],
)
def test_russian_forms(text: str, surface: str, name: str, iso: str) -> None:
    m = _single(text)
    assert (text[m.start:m.end], m.place.name, m.place.iso3166_2) == (surface, name, iso)


def test_several_mentions_left_to_right_longest_wins() -> None:
    text = "Drones hit Kyiv, the Kyiv region and Kharkiv's outskirts; Odesa too."
    assert _found(text) == [
        ("Kyiv", "Kyiv", "UA-30"),
        ("Kyiv region", "Kyiv Oblast", "UA-32"),
        ("Kharkiv", "Kharkiv", "UA-63"),
        ("Odesa", "Odesa", "UA-51"),
    ]


def test_coordinates_are_plausible() -> None:
    kyiv = _single("Kyiv").place
    assert (kyiv.country, round(kyiv.lat), round(kyiv.lon)) == ("UA", 50, 31)
    moscow = _single("Moscow").place
    assert (moscow.country, round(moscow.lat), round(moscow.lon)) == ("RU", 56, 38)


def test_word_boundaries() -> None:
    assert find_places("Kyivstar and Sumyland are not places.") == []
    assert find_places("Харківська-подібна МакКиїв") == []


def test_a_form_found_inside_another_run_is_not_a_mention() -> None:
    # The gazetteer automaton reports "Kyiv" inside "5Kyiv", "McKyiv" and "Kyivs" too; only whole runs count.
    text = "5Kyiv _Kyiv McKyiv Kyivs 'Kyiv' (Київ) Kyiv"
    assert [(m.start, m.end) for m in find_places(text)] == [(26, 30), (33, 37), (39, 43)]


def test_common_words_do_not_match() -> None:
    # Bar, Щастя and Українка are towns, but also ordinary words: dropped from the gazetteer.
    assert find_places("Bar staff said the Snow Queen met Human Rights Watch.") == []
    assert find_places("Щастя і радість. Українка виграла турнір.") == []


@pytest.mark.parametrize(
    "prose",
    [
        "The committee met on Tuesday to discuss the budget. Members said the proposal would "
        "raise taxes on small businesses, and the mayor promised a new bar, a park and a library. "
        "Analysts expect inflation to slow next year as energy prices fall.",
        "Вчора ввечері в кінотеатрі показали новий фільм. Глядачі сміялися, а потім довго "
        "обговорювали сюжет. Погода була теплою, і люди гуляли парком до пізньої ночі. "
        "Долина річки світилася вогнями, а щастя здавалося близьким.",
        "Вчера вечером в театре показали новый спектакль. Зрители долго аплодировали, а потом "
        "обсуждали сюжет. Погода была тёплой, и люди гуляли по парку до поздней ночи. "
        "Счастье казалось близким, а мир спокойным.",
    ],
)
def test_no_false_positives_in_prose(prose: str) -> None:
    assert find_places(prose) == []


def test_speed_smoke() -> None:
    # Exercises the scan over a large text; the MB/s figure is measured outside the tests.
    article = (
        "Overnight Russia launched 539 drones and 11 missiles at Ukraine. The main target was "
        "Kyiv; strikes were also reported in the Kharkiv region, Odesa and Lviv. Уночі ворог "
        "атакував Київ та Харківщину, у Дніпрі пролунали вибухи. В Брянской области сбиты дроны. "
    ) * 10
    assert len(find_places(article * 100)) == 8 * 10 * 100
