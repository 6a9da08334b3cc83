"""Who attacked whom: Russia → Ukraine unless the text says Ukraine struck Russia."""

from __future__ import annotations

import re

RU, UA = "RU", "UA"

# Phrases that put Ukraine in the attacker's seat (any language, folded text).
_UA_ATTACKS = re.compile(
    r"(?<![\w'])(?:ukrainian (?:drones?|uavs?|missiles?|strikes?|attacks?|forces (?:struck|attacked|hit|launched))"
    r"|ukraine(?:'s)? (?:launched|attacked|struck|fired|hit|targeted)|(?:kyiv|ukraine) (?:launched|sent|fired) \S+ drones"
    r"|drones? (?:launched|sent|fired) by ukraine|(?:russia's|russian) (?:defen[cs]e ministry|air defen[cs]es?|ministry of defen[cs]e|mod)"
    r"|over (?:the )?(?:russian|[a-z]+ (?:region|oblast) of russia)|(?:into|deep inside|inside|on) russia\b|russian (?:oil )?refiner"
    r"|українськ\w* (?:дрон\w*|бпла|безпілотн\w*|ракет\w*|удар\w*)|сили оборони (?:уразили|атакували|вразили)"
    r"|на території (?:росії|рф)|по території (?:росії|рф)|уражен\w* (?:нпз|нафтопереробн)|(?:сбу|гур|сбс) (?:атакувал|уразил|вразил)"
    r"|украинск\w* (?:беспилотн\w*|бпла|дрон\w*|ракет\w*)|всу\b|киевск\w* режим\w*|минобороны (?:россии|рф)"
    r"|над территори\w* (?:росси\w*|рф)|над (?:\w+ )?(?:областью|краем|регион\w*)|средствами пво (?:перехвачены|уничтожены)"
    r"|росі\w* (?:заявил\w*|стверджу\w*)\W+(?:\w+\W+){0,4}збил\w*|міноборони (?:росії|рф))"
)
_RU_ATTACKS = re.compile(
    r"(?<![\w'])(?:russia(?:'s)? (?:launched|attacked|struck|fired|hit|targeted|unleashed|pounded|bombarded|sent)|russian (?:drones?|missiles?|strikes?|attacks?|forces)"
    r"|(?:ukraine's|ukrainian) (?:air force|air defen[cs]es?)|on ukraine|at ukraine|against ukraine|across ukraine"
    r"|росі\w* (?:атакувал\w*|запустил\w*|випустил\w*|вдарил\w*)|противник|ворог\w*|окупант\w*|рашист\w*|російськ\w* (?:дрон\w*|ракет\w*|удар\w*|атак\w*|бпла)"
    r"|повітряні сили|по україні|по украине|россия (?:атаковала|выпустила|нанесла)|росси\w* (?:атак\w*|удар\w*))"
)
# Words any report of a Russian attack uses, but that a report of a strike on Russia may mention in passing.
_RU_WEAK = re.compile(r"(?<![\w'])(?:shahed|шахед|geran|герань|гербер|ппо)")


def attacker_target(lead: str) -> tuple[str, str]:
    """(attacker, target) by which side the lead's phrasing puts on the attack; the opening counts double."""
    head = len(lead) // 3
    ua = sum(3 * (1 + (m.start() < head)) for m in _UA_ATTACKS.finditer(lead))
    ru = sum(3 * (1 + (m.start() < head)) for m in _RU_ATTACKS.finditer(lead)) + len(_RU_WEAK.findall(lead))
    return (UA, RU) if ua > ru else (RU, UA)


# A text that never names either side is about some other war.
MENTIONS_SIDES = re.compile(
    r"russia|ukrain|kyiv|kiev|kremlin|moscow|shahed|enemy|occupier|air defen[cs]e|росі|україн|ворог|ворож|вражеск|противник|окупант|рф\b|росси|украин|киев|київ|москв|зсу|всу|ппо"
)

# Other wars' actors: a text naming these and neither side of this war is not about it.
OTHER_WARS = re.compile(
    r"israel|iran|gaza|hamas|hezbollah|houthi|yemen|syria|sudan|lebanon|ізраїл|іран|газі|сектор газа|хамас|хезбол|хусит"
    r"|ємен|сирі|судан|ліван|израил|иран|йемен|сектор газ|ливан"
)
