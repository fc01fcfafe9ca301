"""Actors: who did what to whom, in ACLED's naming.

The agent and patient of an event come from the dependency parse; each noun phrase is sorted into an ACLED
actor kind (state forces, rebels, militias, protesters, rioters, civilians, external forces) by a lexicon of
head nouns and a table of well-known armed groups, then named the ACLED way: ``Police Forces of Sudan``,
``Protesters (Sudan)``, ``Unidentified Armed Group (Nigeria)``, ``Civilians (Kenya)``. ACLED's naming rules are
not available in any library, hence the tables below.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Token

from midan.schema import INTER_CODES, SUB_EVENT_TYPES

if TYPE_CHECKING:
    from midan.detect import Mention

logger = logging.getLogger(__name__)

POLICE = frozenset({"police", "policeman", "policemen", "policewoman", "gendarme", "gendarmerie", "constable",
                    "cop", "officer", "trooper"})
MILITARY = frozenset({"army", "soldier", "troop", "military", "marine", "navy", "warplane", "jet", "aircraft",
                      "helicopter", "paramilitary", "commando", "battalion", "brigade", "junta", "regime",
                      "government", "guard", "guardsman", "forces", "force", "sniper", "gunship", "tank",
                      "artillery", "airforce"})
REBEL = frozenset({"rebel", "insurgent", "jihadist", "militant", "guerrilla", "guerilla", "separatist",
                   "extremist", "islamist", "terrorist", "insurgency"})
MILITIA = frozenset({"militia", "militiaman", "militiamen", "vigilante"})
ARMED = frozenset({"gunman", "gunmen", "assailant", "attacker", "bandit", "kidnapper", "fighter", "bomber",
                   "abductor", "raider", "hitman", "perpetrator", "man", "men", "group", "killer", "suspect"})
PROTESTER = frozenset({"protester", "protestor", "demonstrator", "marcher", "picketer", "striker", "crowd",
                       "activist", "supporter", "participant"})
RIOTER = frozenset({"rioter", "mob", "youth", "looter", "arsonist", "hooligan"})
CIVILIAN = frozenset({"civilian", "villager", "resident", "farmer", "herder", "journalist", "reporter",
                      "student", "teacher", "worker", "woman", "child", "people", "person", "passenger",
                      "worshipper", "family", "leader", "lawyer", "trader", "shopkeeper", "driver", "doctor",
                      "nurse", "chief", "pastor", "imam", "priest", "refugee", "migrant", "teenager", "boy", "girl",
                      "baby", "patient", "pilgrim", "mourner", "voter", "candidate", "politician", "official",
                      "vendor", "fisherman", "miner", "member", "employee", "staff", "councillor",
                      "councilor", "mayor", "lecturer", "professor", "unionist", "trade-unionist", "wife",
                      "husband", "son", "daughter", "mother", "father", "brother", "sister", "community",
                      "household", "inhabitant", "occupant", "bystander", "pedestrian", "customer", "merchant",
                      "monk", "nun", "cleric", "elder", "aid", "volunteer", "humanitarian", "defender",
                      "displaced", "idp", "victim", "pupil", "schoolchild", "schoolgirl", "schoolboy", "head",
                      "secretary", "director", "chairman", "chairperson", "president", "commander", "spokesman"})
#: places that stand for the forces holding them when attacked ("attacked a checkpoint")
MILITARY_SITES = frozenset({"checkpoint", "barracks", "garrison", "outpost", "base", "position", "post", "convoy",
                            "patrol", "camp", "headquarters"})
EXTERNAL = frozenset({"peacekeeper", "mercenary", "contractor"})
#: words that stand for a count of people: the people are in the "of" phrase ("thousands of students")
QUANTITY = frozenset({"thousand", "hundred", "dozen", "score", "group", "number", "crowd", "band", "gang",
                      "couple", "handful", "lot", "million", "ten", "tens", "several", "many", "some", "all",
                      "most", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "each",
                      "none", "majority", "unit", "contingent", "column", "convoy", "squad", "team"})

#: associated-actor names by head noun, ACLED's social-group labels
ASSOCIATED: dict[str, str] = {
    "student": "Students", "pupil": "Students", "schoolchild": "Students", "lecturer": "Teachers",
    "teacher": "Teachers", "worker": "Labor Group", "union": "Labor Group", "unionist": "Labor Group",
    "striker": "Labor Group", "employee": "Labor Group", "woman": "Women", "girl": "Women",
    "schoolgirl": "Women", "mother": "Women", "journalist": "Journalists", "reporter": "Journalists",
    "farmer": "Farmers", "herder": "Pastoralists", "lawyer": "Lawyers", "doctor": "Health Workers",
    "nurse": "Health Workers", "refugee": "Refugees/IDPs", "idp": "Refugees/IDPs", "displaced": "Refugees/IDPs",
    "trader": "Traders", "vendor": "Traders", "merchant": "Traders", "shopkeeper": "Traders",
    "driver": "Transport Workers", "miner": "Labor Group", "pastor": "Christian Group (%s)",
    "priest": "Christian Group (%s)", "imam": "Muslim Group (%s)", "worshipper": "Religious Group",
    "activist": "Activists", "fisherman": "Fishers", "politician": "Politicians", "candidate": "Politicians",
    "official": "Government", "mayor": "Government", "councillor": "Government", "councilor": "Government",
}

#: well-known armed and political organisations: lower-cased alias -> (ACLED-style name, inter label)
KNOWN_GROUPS: dict[str, tuple[str, str]] = {
    "boko haram": ("Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", "Rebel group"),
    "jas": ("Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", "Rebel group"),
    "iswap": ("Islamic State West Africa Province", "Rebel group"),
    "islamic state west africa province": ("Islamic State West Africa Province", "Rebel group"),
    "islamic state": ("Islamic State", "Rebel group"),
    "isis": ("Islamic State", "Rebel group"),
    "isil": ("Islamic State", "Rebel group"),
    "al-shabaab": ("Al Shabaab", "Rebel group"),
    "al shabaab": ("Al Shabaab", "Rebel group"),
    "shabaab": ("Al Shabaab", "Rebel group"),
    "rapid support forces": ("Rapid Support Forces", "Rebel group"),
    "rsf": ("Rapid Support Forces", "Rebel group"),
    "m23": ("M23: March 23 Movement", "Rebel group"),
    "eln": ("ELN: National Liberation Army", "Rebel group"),
    "national liberation army": ("ELN: National Liberation Army", "Rebel group"),
    "ttp": ("TTP: Tehreek-i-Taliban Pakistan", "Rebel group"),
    "pakistani taliban": ("TTP: Tehreek-i-Taliban Pakistan", "Rebel group"),
    "pkk": ("PKK: Kurdistan Workers Party", "Rebel group"),
    "jnim": ("JNIM: Group for Support of Islam and Muslims", "Rebel group"),
    "arakan army": ("AA: Arakan Army", "Rebel group"),
    "people's defence force": ("PDF: People's Defense Force", "Rebel group"),
    "people's defense force": ("PDF: People's Defense Force", "Rebel group"),
    "adf": ("ADF: Allied Democratic Forces", "Rebel group"),
    "allied democratic forces": ("ADF: Allied Democratic Forces", "Rebel group"),
    "codeco": ("CODECO: Cooperative for Development of Congo", "Identity militia"),
    "wagner": ("Wagner Group", "External/Other forces"),
    "wagner group": ("Wagner Group", "External/Other forces"),
    "hamas": ("Hamas Movement", "Rebel group"),
    "hezbollah": ("Hezbollah", "Political militia"),
    "houthi": ("Houthi Movement", "Rebel group"),
    "houthis": ("Houthi Movement", "Rebel group"),
    "taliban": ("Taliban", "Rebel group"),
    "clan del golfo": ("Clan del Golfo", "Political militia"),
    "gulf clan": ("Clan del Golfo", "Political militia"),
    "cartel": ("Unidentified Gang", "Political militia"),
}

#: ethnic or communal descriptors that make an identity militia ("Fulani militia")
IDENTITY_WORDS = frozenset({"fulani", "ethnic", "communal", "tribal", "clan", "hausa", "tiv", "berom", "lendu",
                            "hema", "nuer", "dinka", "murle", "amhara", "oromo", "afar", "somali", "borana",
                            "pokot", "turkana", "dogon", "bambara", "mbororo", "masalit", "arab"})


@dataclass
class Actor:
    """One actor of an event, named the ACLED way, with the span that names it in the text."""

    name: str
    inter: str
    kind: str
    text: str = ""
    start: int = -1
    end: int = -1

    @property
    def inter_code(self) -> int:
        return INTER_CODES[self.inter]


def _people_head(token: Token) -> Token:
    """Follow "thousands of students" / "a group of gunmen" to the people themselves."""
    node = token
    for _ in range(3):
        if node.lemma_.lower() in QUANTITY or node.like_num:
            pobj = [g for c in node.children if c.dep_ == "prep" and c.lower_ == "of"
                    for g in c.children if g.dep_ == "pobj"]
            if pobj:
                node = pobj[0]
                continue
        break
    if node.lower_ in {"who", "which", "that"} and node.head.dep_ == "relcl":
        return node.head.head
    return node


def noun_kind(token: Token | None) -> str:
    """The ACLED actor kind of a noun phrase headed by ``token``.

    One of ``state``, ``rebel``, ``militia``, ``armed``, ``protester``, ``rioter``, ``civilian``, ``external``,
    or ``""`` when the phrase names no actor.
    """
    if token is None:
        return ""
    head = _people_head(token)
    phrase = _phrase(head).lower()
    group = known_group(phrase)
    if group:
        return {"Rebel group": "rebel", "Political militia": "militia", "Identity militia": "militia",
                "External/Other forces": "external"}.get(group[1], "armed")
    lemma = head.lemma_.lower()
    mods = {c.lemma_.lower() for c in head.children if c.dep_ in {"amod", "compound", "nmod"}}
    if lemma in {"force", "forces"} and not mods & {"security", "government", "armed", "federal", "state",
                                                    "national", "special", "military", "police", "defence",
                                                    "defense", "paramilitary", "coalition", "regime", "junta"} \
            and not _demonym_like(head):
        return "armed"
    if lemma in POLICE or "police" in mods or lemma == "police":
        return "state"
    if lemma in MILITARY_SITES:
        # "rebel positions", "a militia camp": the site stands for whoever holds it
        if mods & REBEL:
            return "rebel"
        if mods & (MILITIA | ARMED | {"bandit", "gang", "jihadist"}):
            return "armed"
        return "state"
    if lemma in MILITARY or mods & {"paramilitary", "military", "army", "security", "government"}:
        return "state"
    if lemma in REBEL or mods & REBEL:
        return "rebel"
    if lemma in MILITIA:
        return "militia"
    if lemma in EXTERNAL:
        return "external"
    if lemma in RIOTER:
        return "rioter"
    if lemma in PROTESTER:
        return "protester"
    if lemma in {"sit", "in", "march", "rally", "protest", "demonstration", "vigil", "picket", "strike"}:
        return "protester"
    if lemma in ARMED:
        if lemma in {"man", "men", "group", "suspect"} and not mods & {"armed", "masked", "unidentified",
                                                                       "unknown", "gun-wielding"}:
            return "civilian" if lemma in {"man", "men"} else ""
        return "armed"
    if lemma in CIVILIAN or head.ent_type_ == "PERSON":
        return "civilian"
    return ""


def _demonym_like(token: Token) -> bool:
    return any(c.ent_type_ == "NORP" or c.ent_type_ == "GPE" for c in token.children)


def _phrase(token: Token) -> str:
    """The noun phrase of ``token`` without determiners and trailing clauses."""
    words = [t for t in token.subtree if t.i <= token.i or t.dep_ in {"compound", "flat", "appos"}]
    left = [t for t in words if t.dep_ not in {"det", "predet", "nummod", "quantmod", "punct", "case"}]
    return " ".join(t.text for t in left) if left else token.text


def known_group(text: str) -> tuple[str, str] | None:
    lowered = text.lower()
    for alias, group in KNOWN_GROUPS.items():
        if re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", lowered):
            return group
    return None


def arguments(anchor: Token, trigger: Token) -> tuple[Token | None, Token | None]:
    """Agent and patient of the clause headed by ``anchor`` (the trigger's governing verb)."""
    agent: Token | None = None
    patient: Token | None = None
    for node in (anchor, trigger):
        for child in node.children:
            dep = child.dep_
            if dep in {"nsubj", "csubj"} and agent is None:
                agent = child
            elif dep == "agent" and agent is None:
                agent = next((g for g in child.children if g.dep_ == "pobj"), None)
            elif dep == "nsubjpass" and patient is None:
                patient = child
            elif dep == "dobj" and patient is None and child.lemma_.lower() not in {"fire", "gas", "shot",
                                                                                  "tear", "bullet"}:
                patient = child
            elif dep == "poss" and agent is None and node.i == trigger.i and node.pos_ == "NOUN":
                agent = child
            elif dep == "prep" and child.lower_ in {"on", "against", "at", "into", "upon"} and patient is None:
                patient = next((g for g in child.children if g.dep_ == "pobj"), None)
            elif dep == "prep" and child.lower_ == "with" and patient is None and node.lemma_.lower() in {
                    "clash", "fight", "battle", "skirmish", "exchange", "engage", "fighting", "clashes"}:
                patient = next((g for g in child.children if g.dep_ == "pobj"), None)
            elif dep == "prep" and child.lower_ == "by" and agent is None and node.i == trigger.i:
                agent = next((g for g in child.children if g.dep_ == "pobj"), None)
    # a verb folded into its governor ("stormed a camp, killing three") supplies the patient of the killing
    if patient is None or noun_kind(patient) == "":
        for child in anchor.children:
            if child.dep_ in {"advcl", "xcomp", "conj"} and not any(
                    g.dep_ in {"nsubj", "nsubjpass"} for g in child.children):
                obj = next((g for g in child.children if g.dep_ in {"dobj"}), None)
                if obj is not None and noun_kind(obj):
                    patient = obj if patient is None or noun_kind(patient) == "" else patient
    if agent is not None and agent.lower_ in {"who", "which", "that"} and anchor.dep_ == "relcl":
        agent = anchor.head
    if agent is not None and agent.pos_ == "PRON":
        agent = None
    return (_people_head(agent) if agent is not None else None,
            _people_head(patient) if patient is not None else None)


def _country_of_phrase(token: Token, demonym: Callable[[str], str | None]) -> str | None:
    for child in token.subtree:
        if child.ent_type_ in {"NORP", "GPE"} and child.i < token.i:
            country = demonym(child.text)
            if country:
                return country
    return None


def name_actor(token: Token | None, kind: str, country: str, demonym: Callable[[str], str | None],
               role: str = "") -> Actor | None:
    """An ACLED-named :class:`Actor` for the noun phrase at ``token`` of the given kind."""
    if not kind:
        return None
    text, start, end = "", -1, -1
    if token is not None:
        head = _people_head(token)
        span = [t for t in head.subtree if (not t.is_punct and t.dep_ not in {"relcl", "acl", "prep"})
                or t.i == head.i]
        span = [t for t in span if abs(t.i - head.i) <= 6]
        if span:
            first, last = min(span, key=lambda t: t.i), max(span, key=lambda t: t.i)
            start, end = first.idx, last.idx + len(last.text)
            text = head.doc.text[start:end]
        country = _country_of_phrase(head, demonym) or country
        group = known_group(_phrase(head))
        if group:
            return Actor(group[0], group[1], kind, text, start, end)
    where = country or "Unknown"
    if kind == "state":
        lemma = _people_head(token).lemma_.lower() if token is not None else ""
        mods = {c.lemma_.lower() for c in _people_head(token).children} if token is not None else set()
        police = lemma in POLICE or "police" in mods or (token is not None and "police" in token.lower_)
        name = f"Police Forces of {where}" if police else f"Military Forces of {where}"
        return Actor(name, "State forces", kind, text, start, end)
    if kind == "rebel":
        return Actor(f"Unidentified Armed Group ({where})", "Political militia", kind, text, start, end)
    if kind == "militia":
        words = {t.lower_ for t in _people_head(token).subtree} if token is not None else set()
        identity = words & IDENTITY_WORDS
        if identity:
            label = sorted(identity)[0].title()
            if label in {"Ethnic", "Communal", "Tribal", "Clan"}:
                return Actor(f"Communal Militia ({where})", "Identity militia", kind, text, start, end)
            return Actor(f"{label} Ethnic Militia ({where})", "Identity militia", kind, text, start, end)
        return Actor(f"Unidentified Armed Group ({where})", "Political militia", kind, text, start, end)
    if kind == "armed":
        return Actor(f"Unidentified Armed Group ({where})", "Political militia", kind, text, start, end)
    if kind == "external":
        return Actor(f"Private Security Forces ({where})", "External/Other forces", kind, text, start, end)
    if kind == "protester":
        return Actor(f"Protesters ({where})", "Protesters", kind, text, start, end)
    if kind == "rioter":
        return Actor(f"Rioters ({where})", "Rioters", kind, text, start, end)
    return Actor(f"Civilians ({where})", "Civilians", kind, text, start, end)


def associated(token: Token | None, country: str) -> list[str]:
    """Associated actors named by a phrase: "students" -> ``Students (Sudan)``, "union leader" -> ``Labor Group``."""
    if token is None:
        return []
    head = _people_head(token)
    found: list[str] = []
    for word in [head, *[c for c in head.children if c.dep_ in {"compound", "amod", "conj"}]]:
        label = ASSOCIATED.get(word.lemma_.lower())
        if label:
            name = label % country if "%s" in label else f"{label} ({country})"
            if name not in found:
                found.append(name)
    if head.ent_type_ == "ORG" and noun_kind(head) == "":
        found.append(_phrase(head))
    return found


def organisers(trigger: Token) -> list[Token]:
    """Organisations named as organisers: "a march organised by the teachers' union", "called by X"."""
    found: list[Token] = []
    for token in trigger.sent:
        if token.lemma_.lower() in {"organise", "organize", "call", "lead", "stage", "convene"} and \
                token.dep_ in {"acl", "relcl", "ROOT", "conj", "advcl"}:
            for child in token.children:
                if child.dep_ == "agent":
                    found.extend(g for g in child.children if g.dep_ == "pobj")
    return found


def assign(mention: Mention, country: str, demonym: Callable[[str], str | None]) -> None:
    """Fill ``actor1``/``actor2`` and the associated actors of a coded mention, ACLED's way round."""
    sub = mention.sub_event_type
    event_type = SUB_EVENT_TYPES.get(sub, "")
    anchor = mention.trigger if mention.trigger.pos_ in {"VERB", "AUX"} else mention.trigger.head
    agent, patient = arguments(anchor, mention.trigger)
    akind, pkind = noun_kind(agent), noun_kind(patient)
    protest_side = agent if akind in {"protester", "civilian"} else patient if pkind in {"protester",
                                                                                        "civilian"} else None
    force_side = agent if akind == "state" else patient if pkind == "state" else None
    a1: Actor | None
    a2: Actor | None = None
    assoc1: list[str] = []
    assoc2: list[str] = []
    if event_type == "Protests":
        protesters = name_actor(protest_side, "protester", country, demonym)
        assoc = associated(protest_side, country)
        assoc += [name for org in organisers(mention.trigger) for name in [_phrase(org)]]
        if sub == "Peaceful protest":
            a1, assoc1 = protesters, assoc
        else:
            force = name_actor(force_side, "state", country, demonym) if force_side is not None else \
                name_actor(None, "state", country, demonym)
            if force is not None and force_side is None:
                force.name = f"Police Forces of {country or 'Unknown'}"
            if sub == "Excessive force against protesters":
                a1, a2, assoc2 = force, protesters, assoc
            else:
                a1, a2, assoc1 = protesters, force, assoc
    elif event_type == "Riots":
        a1 = name_actor(agent if akind in {"rioter", "protester", "civilian", ""} else None, "rioter", country,
                        demonym)
        if sub == "Mob violence" or pkind == "civilian":
            a2 = name_actor(patient, "civilian", country, demonym)
            assoc2 = associated(patient, country)
        elif pkind == "state" or force_side is not None:
            a2 = name_actor(force_side, "state", country, demonym)
        assoc1 = associated(agent, country) if akind in {"protester", "civilian"} else []
    elif sub == "Arrests":
        a1 = name_actor(agent, akind if akind == "state" else "state", country, demonym)
        if a1 is not None and agent is None:
            a1.name = f"Police Forces of {country or 'Unknown'}"
        a2 = name_actor(patient, pkind or "civilian", country, demonym) if patient is not None else None
        assoc2 = associated(patient, country)
    elif event_type == "Violence against civilians":
        a1 = name_actor(agent, akind if akind not in {"", "civilian", "protester"} else "armed", country, demonym)
        victim = patient if patient is not None else None
        a2 = name_actor(victim, "civilian", country, demonym)
        assoc2 = associated(victim, country)
    else:
        default = "state" if sub in {"Air/drone strike", "Government regains territory", "Chemical weapon"} \
            else "armed"
        a1 = name_actor(agent, akind or default, country, demonym) if akind not in {"civilian"} else \
            name_actor(None, default, country, demonym)
        if patient is not None and pkind:
            a2 = name_actor(patient, pkind, country, demonym)
            if pkind in {"civilian", "protester"}:
                assoc2 = associated(patient, country)
        elif sub in {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"}:
            a2 = name_actor(None, "armed" if (a1 and a1.kind == "state") else "state", country, demonym)
    if a1 is None:
        a1 = name_actor(None, "armed", country, demonym)
    if a2 is not None and a1 is not None and a2.name == a1.name:
        # one side named twice: in a battle the other side is unknown; elsewhere there is no second actor
        a2 = name_actor(None, "armed" if a1.kind == "state" else "state", country, demonym) \
            if event_type == "Battles" else None
    mention.actor1, mention.actor2 = a1, a2
    mention.assoc1 = list(dict.fromkeys(assoc1))
    mention.assoc2 = list(dict.fromkeys(assoc2))
