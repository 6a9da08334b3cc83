"""Who attacked whom: Russia → Ukraine unless the text says Ukraine struck Russia."""

from __future__ import annotations

import re
from collections.abc import Callable

from streams.extract.text import Phrases, WordScanner

RU, UA = "RU", "UA"

# Phrases that put Ukraine in the attacker's seat (any language, folded text): each a leading word and the rest.
_UA_ATTACKS = Phrases((
    ("ukrainian", r" (?:drones?|uavs?|missiles?|strikes?|attacks?|forces (?:struck|attacked|hit|launched))"),
    ("ukraine", r"(?:'s)? (?:launched|attacked|struck|fired|hit|targeted|strikes|attacks|hits|targets|launches)"),
    ("kyiv", r" (?:launched|sent|fired) \S+ drones"),
    ("ukraine", r" (?:launched|sent|fired) \S+ drones"),
    ("drone", r"s? (?:launched|sent|fired) by ukraine"),
    ("russia's", r" (?:defen[cs]e ministry|air defen[cs]es?|ministry of defen[cs]e|mod)"),
    ("russian", r" (?:defen[cs]e ministry|air defen[cs]es?|ministry of defen[cs]e|mod)"),
    ("over", r" (?:the )?(?:russian|[a-z]+ (?:region|oblast) of russia)"),
    ("into", r" russia\b"),
    ("deep", r" inside russia\b"),
    ("inside", r" russia\b"),
    ("on", r" russia\b"),
    ("russian", r" (?:oil )?refiner"),
    ("українськ", r"\w* (?:дрон\w*|бпла|безпілотн\w*|ракет\w*|удар\w*)"),
    ("сили", r" оборони (?:уразили|атакували|вразили)"),
    ("на", r" території (?:росії|рф)"),
    ("по", r" території (?:росії|рф)"),
    ("уражен", r"\w* (?:нпз|нафтопереробн)"),
    ("сбу", r" (?:атакувал|уразил|вразил)"),
    ("гур", r" (?:атакувал|уразил|вразил)"),
    ("сбс", r" (?:атакувал|уразил|вразил)"),
    ("украинск", r"\w* (?:беспилотн\w*|бпла|дрон\w*|ракет\w*)"),
    ("всу", r"\b"),
    ("киевск", r"\w* режим\w*"),
    ("минобороны", r" (?:россии|рф)"),
    ("над", r" территори\w* (?:росси\w*|рф)"),
    ("над", r" (?:\w+ )?(?:областью|краем|регион\w*)"),
    ("средствами", r" пво (?:перехвачены|уничтожены)"),
    ("росі", r"\w* (?:заявил\w*|стверджу\w*)\W+(?:\w+\W+){0,4}збил\w*"),
    ("міноборони", r" (?:росії|рф)"),
    # the target named as Russia's capital or a Russian mayor's, in any of the three languages
    ("летевш", r"\w* (?:на|к) москв\w*"), ("направлявш", r"\w* к (?:москве|столице)"), ("атаковавш", r"\w* москв\w*"),
    ("пво", r" минобороны"), ("собянин", r"\w*"), ("sobyanin", ""), ("flying", r" (?:towards|toward|to) moscow"),
    ("attacking", r" moscow"), ("over", r" moscow"), ("на", r" москву"), ("над", r" москв\w*"),
))
_RU_ATTACKS = Phrases((
    ("russia", r"(?:'s)? (?:launched|attacked|struck|fired|hit|targeted|unleashed|pounded|bombarded|sent)"),
    ("russian", r" (?:drones?|missiles?|strikes?|attacks?|forces)"),
    ("ukraine's", r" (?:air force|air defen[cs]es?)"),
    ("ukrainian", r" (?:air force|air defen[cs]es?)"),
    ("on", r" ukraine"),
    ("at", r" ukraine"),
    ("against", r" ukraine"),
    ("across", r" ukraine"),
    ("росі", r"\w* (?:атакувал\w*|запустил\w*|випустил\w*|вдарил\w*)"),
    ("противник", ""), ("enemy", r"\b"), ("occupiers", ""),
    ("ворог", r"\w*"),
    ("окупант", r"\w*"),
    ("рашист", r"\w*"),
    ("російськ", r"\w* (?:дрон\w*|ракет\w*|удар\w*|атак\w*|бпла)"),
    ("повітряні", r" сили"),
    ("по", r" україні"),
    ("по", r" украине"),
    ("россия", r" (?:атаковала|выпустила|нанесла)"),
    ("росси", r"\w* (?:атак\w*|удар\w*)"),
    # Russian-language reports of a Russian attack, by Ukrainian outlets or by the Russian MoD itself
    ("российск", r"\w* (?:войска|войск|военн\w*|армия|оккупант\w*|дрон\w*|ракет\w*|удар\w*|беспилотн\w*)"),
    ("атаковал", r"\w* украин\w*"), ("атаковавш", r"\w* украин\w*"), ("страна-агрессор", ""), ("оккупант", r"\w*"),
    ("пво", r" украин\w*"), ("воздушн", r"\w* сил\w*"), ("по", r" (?:\w+ )?(?:объектам|объекты|предприятиям) (?:\w+ )?украин\w*"),
))
# Words any report of a Russian attack uses, but that a report of a strike on Russia may mention in passing.
_RU_WEAK = ("shahed", "шахед", "geran", "герань", "гербер", "ппо")
# Every word that opens a phrase of either side, and the weak words: a lead is scanned once for all of them.
_LEAD_WORDS = WordScanner(dict.fromkeys((*_UA_ATTACKS.words, *_RU_ATTACKS.words, *_RU_WEAK)))


def side_phrases(lead: str) -> tuple[list[re.Match[str]], list[re.Match[str]], int]:
    """Ukraine's attack phrases, Russia's, and how many weak words for Russia the lead ``lead`` holds."""
    found = [(_LEAD_WORDS.words[i], start) for i, start, _end in _LEAD_WORDS.find(lead)]
    weak = sum(word in _RU_WEAK for word, _start in found)
    return _UA_ATTACKS.matches(lead, found), _RU_ATTACKS.matches(lead, found), weak


def attacker_target(
    lead: str, headline: str = "", countries: Callable[[], list[str]] | None = None
) -> tuple[str, str]:
    """(attacker, target) by which side the lead's phrasing puts on the attack; the opening counts double.
    A headline that names one side only decides: the story is what its headline says. When the phrasing
    does not tell ("Обломки БПЛА упали на территории НПЗ"), the places the lead names do (``countries``:
    the country of each, asked for only then)."""
    if headline:
        ua_head, ru_head, _weak = side_phrases(headline)
        if bool(ua_head) != bool(ru_head):
            return (UA, RU) if ua_head else (RU, UA)
    head = len(lead) // 3
    ua_phrases, ru_phrases, weak = side_phrases(lead)
    ua = sum(3 * (1 + (m.start() < head)) for m in ua_phrases)
    ru = sum(3 * (1 + (m.start() < head)) for m in ru_phrases) + weak
    if ua == ru and countries is not None:
        named = countries()
        ua, ru = named.count(RU), named.count(UA)  # places in Russia: Ukraine attacked, and the reverse
    return (UA, RU) if ua > ru else (RU, UA)


# A text that never names either side is about some other war.
MENTIONS_SIDES = re.compile(
    r"russia|ukrain|kyiv|kiev|kremlin|moscow|shahed|enemy|occupier|air defen[cs]e|росі|україн|ворог|ворож|вражеск|противник|окупант|рф\b|росси|украин|киев|київ|москв|зсу|всу|ппо"
)

# Other wars' actors: a text naming these and neither side of this war is not about it.
OTHER_WARS = re.compile(
    r"israel|iran|gaza|hamas|hezbollah|houthi|yemen|syria|sudan|lebanon|ізраїл|іран|газі|сектор газа|хамас|хезбол|хусит"
    r"|ємен|сирі|судан|ліван|израил|иран|йемен|сектор газ|ливан|india|pakistan|індія|індії|пакистан|индия|индии"
    r"|north korea|pyongyang|кндр|північна корея|пхеньян|северная корея"
)
