"""Actors: who did what to whom, in ACLED's naming.

The agent and patient of an event come from the dependency parse; each noun phrase is sorted into an ACLED
actor kind (state forces, rebels, militias, protesters, rioters, civilians, external forces) by a lexicon of
head nouns and a table of well-known armed groups, then named the ACLED way: ``Police Forces of Sudan (2019-)``,
``Protesters (Sudan)``, ``Unidentified Armed Group (Nigeria)``, ``Fulani Ethnic Militia (Nigeria)``,
``Civilians (Kenya)``. State forces carry the period of the government in power on the event's day, read from
``midan/data/state_periods.csv``; a state's forces acting outside their own country are "External/Other forces".
ACLED's naming rules are not available in any library, hence the tables below.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.tokens import Token

from midan.mention import Actor, Mention
from midan.nlp import doc_text
from midan.schema import SUB_EVENT_TYPES

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
RIOTER = frozenset({"rioter", "mob", "youth", "looter", "arsonist", "hooligan", "hoodlum", "thug"})
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
    "female": "Women", "widow": "Women", "wife": "Women", "daughter": "Women", "sister": "Women",
    "herdsman": "Pastoralists", "herdsmen": "Pastoralists", "pastoralist": "Pastoralists",
    "nomad": "Pastoralists", "physician": "Health Workers", "medic": "Health Workers",
    "christian": "Christian Group (%s)", "muslim": "Muslim Group (%s)",
}

#: well-known armed and political organisations: lower-cased alias -> (ACLED-style name, inter label)
KNOWN_GROUPS: dict[str, tuple[str, str]] = {
    "boko haram": ("Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", "Rebel group"),
    "jas": ("Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", "Rebel group"),
    "iswap": ("Islamic State West Africa Province", "Rebel group"),
    "islamic state west africa province": ("Islamic State West Africa Province", "Rebel group"),
    "islamic state": ("Islamic State (%s)", "Rebel group"),
    "isis": ("Islamic State (%s)", "Rebel group"),
    "isil": ("Islamic State (%s)", "Rebel group"),
    "daesh": ("Islamic State (%s)", "Rebel group"),
    "nusra": ("Jabhat al-Nusra", "Rebel group"),
    "al-nusra": ("Jabhat al-Nusra", "Rebel group"),
    "jabhat al-nusra": ("Jabhat al-Nusra", "Rebel group"),
    "nusra front": ("Jabhat al-Nusra", "Rebel group"),
    "fateh al-sham": ("Jabhat Fateh al-Sham", "Rebel group"),
    "fateh al sham": ("Jabhat Fateh al-Sham", "Rebel group"),
    "hayat tahrir al-sham": ("HTS: Hayat Tahrir al Sham", "Rebel group"),
    "hts": ("HTS: Hayat Tahrir al Sham", "Rebel group"),
    "jaish al-islam": ("Jaish al-Islam", "Rebel group"),
    "jeish al-islam": ("Jaish al-Islam", "Rebel group"),
    "ahrar al-sham": ("Ahrar al-Sham", "Rebel group"),
    "ahrar al-cham": ("Ahrar al-Sham", "Rebel group"),
    "faylaq al-rahman": ("Faylaq al-Rahman", "Rebel group"),
    "faylaq al-sham": ("Faylaq al-Sham", "Rebel group"),
    "jaish al-fateh": ("Jaish al-Fateh", "Rebel group"),
    "jaish al-fatah": ("Jaish al-Fateh", "Rebel group"),
    "jaysh al fateh": ("Jaish al-Fateh", "Rebel group"),
    "free syrian army": ("Free Syrian Army", "Rebel group"),
    "fsa": ("Free Syrian Army", "Rebel group"),
    "syrian democratic forces": ("SDF: Syrian Democratic Forces", "Rebel group"),
    "sdf": ("SDF: Syrian Democratic Forces", "Rebel group"),
    "ypg": ("YPG: People's Protection Units", "Rebel group"),
    "people's protection units": ("YPG: People's Protection Units", "Rebel group"),
    "kurdish fighters": ("YPG: People's Protection Units", "Rebel group"),
    "us-led coalition": ("Global Coalition Against Daesh", "External/Other forces"),
    "u.s.-led coalition": ("Global Coalition Against Daesh", "External/Other forces"),
    "us-led international coalition": ("Global Coalition Against Daesh", "External/Other forces"),
    "international coalition": ("Global Coalition Against Daesh", "External/Other forces"),
    "anti-is coalition": ("Global Coalition Against Daesh", "External/Other forces"),
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
    "cartel": ("Unidentified Gang (%s)", "Political militia"),
    "saudi-led coalition": ("Military Forces of Saudi Arabia (2015-)", "External/Other forces"),
    "arab coalition": ("Military Forces of Saudi Arabia (2015-)", "External/Other forces"),
    # after the coalitions named by their leader: in the wars midan's sources cover, "the coalition" that strikes
    # is the US-led one against the Islamic State
    "coalition": ("Global Coalition Against Daesh", "External/Other forces"),
}

#: words that make an identity militia: generic ones ("communal militia") and communities ("Fulani militia")
IDENTITY_GENERIC = frozenset({"ethnic", "communal", "tribal", "clan", "sub-clan", "subclan"})
IDENTITY_COMMUNITIES = frozenset({"fulani", "hausa", "tiv", "berom", "lendu", "hema", "nuer", "dinka", "murle",
                                  "amhara", "oromo", "afar", "somali", "borana", "pokot", "turkana", "dogon",
                                  "bambara", "mbororo", "masalit", "arab", "zaghawa", "misseriya", "rizeigat",
                                  "nuba", "kalenjin", "kikuyu", "luo", "maasai", "karamojong", "hutu", "tutsi",
                                  "banyamulenge", "twa", "jukun", "kuteb", "bachama", "eggon", "irigwe", "yoruba",
                                  "igbo", "gure", "hawiye", "darod", "marehan", "abgaal", "habar", "bedouin", "druze",
                                  "alawite", "qemant", "gumuz", "gedeo", "guji", "konso", "anuak"})
IDENTITY_WORDS = IDENTITY_GENERIC | IDENTITY_COMMUNITIES


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
                                                    "defense", "paramilitary", "coalition", "regime", "junta",
                                                    "air"} \
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
    lowered = re.sub(r"\s*-\s*", "-", text.lower())  # "US - led" as the tokens join it
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
    if agent is None:
        agent = _force_agent(anchor, trigger)
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


#: nouns naming the use of force whose modifier names who used it ("police firing", "an army operation")
_FORCE_NOUNS = frozenset({"firing", "fire", "shooting", "gunfire", "action", "operation", "raid", "crackdown",
                          "encounter", "lathicharge", "lathi-charge", "custody", "attack", "assault", "beating"})


def _force_agent(anchor: Token, trigger: Token) -> Token | None:
    """The state force named in a phrase of force attached to the event: "killed in police firing", "died in
    police custody", "shot dead in an encounter with the police", "injured by army shooting"."""
    for node in (trigger, anchor):
        for prep in node.children:
            if prep.dep_ not in {"prep", "agent"} or prep.lower_ not in {"in", "during", "by", "after"}:
                continue
            for noun in prep.children:
                if noun.dep_ == "pobj" and noun_kind(noun) == "state" and any(
                        c.dep_ in {"acl", "compound"} and c.lemma_.lower() in _FORCE_NOUNS | {"fire", "shoot"}
                        for c in noun.children):
                    return noun  # "in police firing" parsed as police <- firing
                if noun.dep_ != "pobj" or noun.lemma_.lower() not in _FORCE_NOUNS:
                    continue
                for child in noun.children:
                    if child.dep_ in {"compound", "amod", "poss", "nmod"} and noun_kind(child) == "state":
                        return child
                    if child.dep_ == "prep" and child.lower_ in {"with", "by"}:
                        force = next((g for g in child.children if g.dep_ == "pobj"), None)
                        if force is not None and noun_kind(force) == "state":
                            return force
    return None


# --- countries and periods of government --------------------------------------------------------------------------

#: gazetteer (GeoNames) country names that ACLED spells differently
ACLED_COUNTRY_NAMES: dict[str, str] = {
    "Democratic Republic of the Congo": "Democratic Republic of Congo",
    "DR Congo": "Democratic Republic of Congo",
    "Republic of the Congo": "Republic of Congo",
    "Palestinian Territory": "Palestine",
    "Czechia": "Czech Republic",
    "The Netherlands": "Netherlands",
    "Timor Leste": "East Timor",
    "Cabo Verde": "Cape Verde",
    "Eswatini": "eSwatini",
    "Swaziland": "eSwatini",
    "Macao": "Macau",
    "Cote d'Ivoire": "Ivory Coast",
    "Côte d'Ivoire": "Ivory Coast",
    "Burma": "Myanmar",
    "Türkiye": "Turkey",
    "Turkiye": "Turkey",
}
#: countries named with the article in ACLED's state force names ("Military Forces of the United States (2025-)")
ARTICLE_COUNTRIES = frozenset({"United States", "United Kingdom", "United Arab Emirates", "Central African Republic",
                               "Philippines", "Dominican Republic", "Netherlands", "Czech Republic", "Bahamas",
                               "Maldives", "Comoros", "Seychelles", "Solomon Islands", "Marshall Islands"})
_PERIODS_FILE = "state_periods.csv"


def acled_country(name: str | None) -> str:
    """The country as ACLED names it ("Democratic Republic of the Congo" -> "Democratic Republic of Congo")."""
    if not name:
        return ""
    name = name.strip()
    return ACLED_COUNTRY_NAMES.get(name, name)


@dataclass(frozen=True)
class StatePeriod:
    """One government period of a country: from its first day to the day the next one began (None: ongoing)."""

    country: str
    start: dt.date
    end: dt.date | None

    @property
    def label(self) -> str:
        """ACLED's suffix: ``(2019-)`` while the period lasts, ``(2021-2025)`` once it has ended."""
        return f"({self.start.year}-{self.end.year if self.end else ''})"

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def parse_state_periods(text: str, origin: str = _PERIODS_FILE) -> dict[str, tuple[StatePeriod, ...]]:
    """Read the periods table (``country,start,end`` with ``#`` comment lines); refuse malformed or overlapping rows."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    reader = csv.reader(line for _, line in lines)
    header = next(reader, None)
    if header != ["country", "start", "end"]:
        raise ValueError(f"{origin}: header must be country,start,end, not {header}")
    table: dict[str, list[StatePeriod]] = {}
    for (number, _), row in zip(lines[1:], reader, strict=True):
        if len(row) != 3:
            raise ValueError(f"{origin}:{number}: expected 3 fields, got {len(row)}")
        country, start, end = (field.strip() for field in row)
        try:
            period = StatePeriod(country, dt.date.fromisoformat(start), dt.date.fromisoformat(end) if end else None)
        except ValueError as exc:
            raise ValueError(f"{origin}:{number}: {exc}") from None
        if not country or (period.end is not None and period.end <= period.start):
            raise ValueError(f"{origin}:{number}: empty country or a period that ends before it starts")
        table.setdefault(country, []).append(period)
    result: dict[str, tuple[StatePeriod, ...]] = {}
    for country, periods in table.items():
        periods.sort(key=lambda p: p.start)
        for before, after in itertools.pairwise(periods):
            if before.end is None or before.end > after.start:
                raise ValueError(f"{origin}: periods of {country} overlap ({before.label} and {after.label})")
        result[country] = tuple(periods)
    return result


@lru_cache(maxsize=1)
def state_periods() -> dict[str, tuple[StatePeriod, ...]]:
    """The packaged table of government periods, by ACLED country name."""
    text = resources.files("midan").joinpath("data").joinpath(_PERIODS_FILE).read_text(encoding="utf-8")
    table = parse_state_periods(text)
    logger.debug("%d government periods for %d countries", sum(map(len, table.values())), len(table))
    return table


def state_period(country: str, day: dt.date | None) -> StatePeriod | None:
    """The government period of ``country`` on ``day``; None when the table does not cover it."""
    if day is None:
        return None
    return next((p for p in state_periods().get(acled_country(country), ()) if p.covers(day)), None)


def state_forces_name(branch: str, country: str, day: dt.date | None) -> str:
    """ACLED's name of a state's forces: ``Police Forces of India (2014-)``, ``Military Forces of the United
    States (2021-2025)``; without a period when the country or the date is not covered."""
    country = acled_country(country) or "Unknown"
    where = f"the {country}" if country in ARTICLE_COUNTRIES else country
    period = state_period(country, day)
    return f"{branch} Forces of {where}" + (f" {period.label}" if period else "")


# --- naming one actor -------------------------------------------------------------------------------------------

#: non-person heads that stand for a state's forces when a country qualifies them ("Russian missiles")
#: lemmas that make a sentence's "strike" an attack from the air or by missiles rather than a labour strike
AIR_WORDS = frozenset({"air", "jet", "warplane", "aircraft", "plane", "drone", "helicopter", "aerial", "bomber",
                       "airstrike", "coalition"})
WAR_WORDS = AIR_WORDS | frozenset({"missile", "rocket", "artillery", "military", "militant", "jihadist", "target",
                                   "bomb", "kill", "fighter", "rebel", "troop", "army", "insurgent", "regime",
                                   "shell", "civilian", "isis", "isil", "daesh"})

STATE_MEANS = frozenset({"missile", "rocket", "drone", "strike", "airstrike", "shell", "shelling", "artillery",
                         "bomb", "bombing", "bombardment", "raid", "attack", "offensive", "operation", "fire",
                         "barrage", "mortar", "projectile", "munition", "occupier", "invader", "occupation",
                         "invasion", "unit", "side", "authority", "navy", "airforce", "drone strike", "gunfire",
                         "incursion", "assault"})
#: who the peacekeepers of a generic report are
PEACEKEEPERS = "UN: United Nations"


def _country_of_phrase(token: Token, demonym: Callable[[str], str | None]) -> str | None:
    """The country a phrase names its people or forces by: "Nigerian troops", "Sudan's army", "Russia"."""
    if token.ent_type_ == "GPE" and token.pos_ == "PROPN":
        country = demonym(token.text)
        if country:
            return acled_country(country)
    for child in token.subtree:
        if child.ent_type_ in {"NORP", "GPE"} and child.i < token.i:
            country = demonym(child.text)
            if country:
                return acled_country(country)
    return None


def actor_kind(token: Token | None, demonym: Callable[[str], str | None]) -> str:
    """:func:`noun_kind`, completed by the countries a phrase names: "Russia" and "Russian missiles" are a
    state's forces, not an unidentified group."""
    kind = noun_kind(token)
    if token is not None and kind == "protester" and _people_head(token).lemma_.lower() == "strike" and \
            {t.lemma_.lower() for t in token.sent} & WAR_WORDS and \
            not {t.lemma_.lower() for t in token.sent} & {"worker", "union", "teacher", "wage", "pay"}:
        kind = ""  # "a US-led coalition strike killed 18": a war's strike stands for whoever struck
    if token is None or kind not in {"", "armed", "civilian"}:
        return kind
    head = _people_head(token)
    lemma = head.lemma_.lower()
    if kind == "armed" and lemma in ARMED:
        return kind
    mods = {c.lemma_.lower() for c in head.children if c.dep_ in {"compound", "amod", "nmod"}}
    if kind == "civilian" and lemma in _MEMBERS | {"leader", "chief", "boss", "kingpin"} and \
            mods & (REBEL | MILITIA | {"gang", "bandit", "cartel"}):
        return "armed"  # "a suspected gang leader" is the armed group's, not a civilian
    if head.ent_type_ == "GPE" and head.pos_ == "PROPN" and demonym(head.text):
        return "state"
    if lemma in STATE_MEANS and _country_of_phrase(head, demonym):
        return "state"
    return kind


def _noun_phrase(head: Token) -> list[Token]:
    """The tokens of a head's noun phrase, from its left edge to its right edge, cut before any clause."""
    doc = head.doc
    tokens: list[Token] = []
    for token in doc[head.left_edge.i:head.right_edge.i + 1]:
        if token.i > head.i and (token.pos_ in {"VERB", "AUX"} or token.dep_ in {"relcl", "acl"}):
            break
        tokens.append(token)
    return tokens


_IDENTITY_LABELS = {"clan": "Clan", "clans": "Clan", "sub-clan": "Sub-Clan", "subclan": "Sub-Clan",
                    "clansmen": "Clan", "clansman": "Clan", "ethnic": "Ethnic", "tribal": "Tribal",
                    "tribesmen": "Tribal", "tribesman": "Tribal", "communal": "Communal"}


def identity_militias(token: Token | None, where: str) -> list[str]:
    """ACLED's identity militia names of a phrase (none when it names no community or communal group):
    "Fulani herdsmen" -> ``Fulani Ethnic Militia (Nigeria)``; "elders of the Hawadle and Abgaal clans" ->
    ``Hawadle Clan Militia (Somalia)``, ``Abgaal Clan Militia (Somalia)``; "communal militia" ->
    ``Unidentified Communal Militia (X)``."""
    if token is None:
        return []
    phrase = _noun_phrase(_people_head(token))
    labels = [_IDENTITY_LABELS[t.lower_] for t in phrase if t.lower_ in _IDENTITY_LABELS]
    communities = [t for t in phrase if t.lower_ in IDENTITY_COMMUNITIES]
    if not labels and not communities:
        return []
    label = labels[0] if labels else "Ethnic"
    names: list[list[Token]] = []
    for t in phrase:
        if t.lower_ in IDENTITY_COMMUNITIES or (labels and t.pos_ == "PROPN" and t.lower_ not in _IDENTITY_LABELS
                                                and t.ent_type_ not in {"DATE", "TIME"}):
            if names and names[-1][-1].i == t.i - 1:
                names[-1].append(t)  # "Habar Gidir"
            else:
                names.append([t])
    before = phrase[0].doc[phrase[0].i - 1] if phrase[0].i > 0 else None
    if labels and not names and before is not None and before.pos_ == "PROPN" and before.ent_type_ not in {
            "GPE", "LOC", "DATE", "TIME"}:
        names = [[before]]  # "Abgaal clan militia" parsed with the name hanging off the verb
    found = [" ".join(t.text.title() if t.text.islower() else t.text for t in name) + f" {label} Militia ({where})"
             for name in names]
    return list(dict.fromkeys(found)) or [f"Unidentified {label} Militia ({where})"]


def identity_militia(token: Token | None, where: str) -> str | None:
    """The first of :func:`identity_militias`, or None."""
    found = identity_militias(token, where)
    return found[0] if found else None


#: people words whose "of" phrase names their group ("fighters of the Rapid Support Forces")
_MEMBERS = frozenset({"fighter", "member", "militant", "soldier", "troop", "unit", "element", "gunman", "rebel",
                      "commander", "militiaman", "combatant", "insurgent", "jihadist", "force"})


def _group_of(head: Token) -> tuple[str, str] | None:
    """A known group named by the phrase itself or by its "of" or "from" phrase."""
    group = known_group(_phrase(head))
    if group or head.lemma_.lower() not in _MEMBERS:
        return group
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in {"of", "from"}:  # "militants from the group known as X"
            obj = next((g for g in child.children if g.dep_ == "pobj"), None)
            if obj is not None:
                return known_group(" ".join(t.text for t in obj.subtree))
    return None


def _span(head: Token) -> tuple[str, int, int]:
    span = [t for t in head.subtree if (not t.is_punct and t.dep_ not in {"relcl", "acl", "prep"}) or t.i == head.i]
    span = [t for t in span if abs(t.i - head.i) <= 6]
    if not span:
        return "", -1, -1
    first, last = min(span, key=lambda t: t.i), max(span, key=lambda t: t.i)
    start, end = first.idx, last.idx + len(last.text)
    return doc_text(head.doc)[start:end], start, end


def name_actor(token: Token | None, kind: str, country: str, demonym: Callable[[str], str | None],
               when: dt.date | None = None) -> Actor | None:
    """An ACLED-named :class:`Actor` for the noun phrase at ``token`` of the given kind.

    ``country`` is where the event happened and ``when`` its day (for the period of state forces). State forces
    and civilians keep the country their phrase names ("Russian troops" in Ukraine are ``Military Forces of Russia
    (2000-)``, inter "External/Other forces"); protesters, rioters and unidentified groups are named after the
    event's country.
    """
    if not kind:
        return None
    country = acled_country(country)
    text, start, end = "", -1, -1
    own = None
    head = _people_head(token) if token is not None else None
    if head is not None:
        text, start, end = _span(head)
        own = _country_of_phrase(head, demonym)
        group = _group_of(head) if kind not in {"protester", "rioter", "civilian"} else None
        if group:
            return _known(group, country, when, text, start, end)
    where = country or "Unknown"
    if kind == "state":
        home = own or country
        lemma = head.lemma_.lower() if head is not None else ""
        mods = {c.lemma_.lower() for c in head.children} if head is not None else set()
        police = lemma in POLICE or "police" in mods or (token is not None and "police" in token.lower_)
        name = state_forces_name("Police" if police else "Military", home or "Unknown", when)
        inter = "External/Other forces" if country and home and home != country else "State forces"
        return Actor(name, inter, kind, text, start, end, home)
    if kind in {"rebel", "militia", "armed"}:
        identity = identity_militia(head, where)
        if identity:
            return Actor(identity, "Identity militia", kind, text, start, end, where)
        if kind == "rebel" and head is not None and not {head.lemma_.lower(), *(
                c.lemma_.lower() for c in head.children)} & {"terrorist", "extremist", "militant", "islamist"}:
            # "rebels", "insurgents", "jihadists", "the opposition": an armed opposition the text does not name;
            # "terrorists" and "militants" name no side ACLED can tell
            return Actor(f"Opposition Rebels ({where})", "Rebel group", kind, text, start, end, where)
        return Actor(f"Unidentified Armed Group ({where})", "Political militia", kind, text, start, end, where)
    if kind == "external":
        lemma = head.lemma_.lower() if head is not None else ""
        if lemma == "peacekeeper":
            return Actor(PEACEKEEPERS, "External/Other forces", kind, text, start, end)
        return Actor(f"Private Security Forces ({where})", "External/Other forces", kind, text, start, end, where)
    if kind == "protester":
        return Actor(f"Protesters ({where})", "Protesters", kind, text, start, end, where)
    if kind == "rioter":
        return Actor(f"Rioters ({where})", "Rioters", kind, text, start, end, where)
    nationality = own or where
    return Actor(f"Civilians ({nationality})", "Civilians", kind, text, start, end, nationality)


def _known(group: tuple[str, str], country: str, when: dt.date | None, text: str, start: int, end: int) -> Actor:
    """A named group; the Taliban are Afghanistan's state forces once they hold the government."""
    name, inter = group
    if name == "Taliban" and country == "Afghanistan":
        period = state_period(country, when)
        if period is not None and period.start >= dt.date(2021, 8, 15):
            return Actor(state_forces_name("Military", country, when), "State forces", "state", text, start, end,
                         country)
    name = _fill(name, country)
    kind = {"Rebel group": "rebel", "Political militia": "militia", "Identity militia": "militia",
            "External/Other forces": "external", "State forces": "state"}.get(inter, "armed")
    return Actor(name, inter, kind, text, start, end)


def _organisation(token: Token) -> str:
    """The name of the organisation a token belongs to: the whole entity ("Zambia National Union of Teachers")."""
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end and ent.label_ == "ORG":
            words = [t for t in ent if t.lower_ != "the" or t.i != ent.start]
            return " ".join(t.text for t in words).replace(" 's", "'s")
    return _phrase(token)


def _fill(name: str, country: str) -> str:
    """Names that carry the country ("Unidentified Gang (%s)")."""
    return name % (country or "Unknown") if "%s" in name else name


def associated(token: Token | None, country: str) -> list[str]:
    """Associated actors named by a phrase: "students" -> ``Students (Sudan)``, "union leader" -> ``Labor Group``,
    "women and girls" -> ``Women (Sudan)``, "supporters of the PDP" -> ``PDP``."""
    if token is None:
        return []
    country = acled_country(country) or "Unknown"
    head = _people_head(token)
    found: list[str] = []
    words = [head, *[c for c in head.children if c.dep_ in {"compound", "amod", "conj", "nmod"}]]
    words += [g for c in head.children if c.dep_ == "conj" for g in c.children if g.dep_ in {"compound", "amod"}]
    for word in words:
        label = ASSOCIATED.get(word.lemma_.lower()) or ASSOCIATED.get(word.lower_)
        if label:
            name = label % country if "%s" in label else f"{label} ({country})"
            if name not in found:
                found.append(name)
    organisations = [head] if head.ent_type_ == "ORG" else []
    organisations += [c for c in head.children if c.dep_ in {"compound", "poss"} and c.ent_type_ == "ORG"]
    organisations += [g for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                      for g in c.children if g.dep_ == "pobj" and g.ent_type_ == "ORG"]
    for org in organisations:
        group = known_group(_phrase(org))
        name = _fill(group[0], country) if group else _organisation(org) if noun_kind(org) == "" else ""
        if name and name not in found:
            found.append(name)
    if not organisations:
        group = known_group(_phrase(head))
        if group and _fill(group[0], country) not in found:
            found.append(_fill(group[0], country))  # "Hamas supporters marched": the organisation is associated
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


def air_forces_of_story(found: list[Mention]) -> None:
    """Give an air strike whose sentence names no perpetrator the air force the story names for its strikes.

    Only states and coalitions fly; a report of "air strikes" in a story that has said whose jets strike ("Russian
    jets struck the towns of ...", "the US-led coalition carried out 18 strikes") is theirs. When the story names
    several air forces, the one it names most often is taken."""
    named = [m.actor1 for m in found if m.sub_event_type == "Air/drone strike" and m.actor1 is not None
             and m.actor1.start >= 0 and m.actor1.inter in {"State forces", "External/Other forces"}]
    if not named:
        return
    counts: dict[str, int] = {}
    for actor in named:
        counts[actor.name] = counts.get(actor.name, 0) + 1
    top = max(named, key=lambda a: (counts[a.name], -a.start))
    for mention in found:
        if mention.sub_event_type == "Air/drone strike" and (mention.actor1 is None or mention.actor1.start < 0):
            mention.actor1 = Actor(top.name, top.inter, top.kind, country=top.country)


def civilian_targeting(sub_event_type: str, inter2: str) -> str:
    """ACLED's ``civilian_targeting``: civilians the main or only target (Violence against civilians; explosions
    and riots aimed at civilians; excessive force against protesters), never in battles or strategic
    developments."""
    event_type = SUB_EVENT_TYPES.get(sub_event_type, "")
    if event_type == "Violence against civilians" or sub_event_type == "Excessive force against protesters":
        return "Civilians targeted"
    if event_type in {"Explosions/Remote violence", "Riots"} and inter2 == "Civilians":
        return "Civilians targeted"
    return ""


# --- the actors of one mention ----------------------------------------------------------------------------------


def _usable(token: Token | None, mention: Mention) -> Token | None:
    """Drop arguments that are the event's place or a date ("on Monday", a town the tagger took for a person)."""
    if token is None:
        return None
    head = _people_head(token)
    if head.ent_type_ in {"DATE", "TIME", "MONEY", "PERCENT"}:
        return None
    if head.i == mention.trigger.i and noun_kind(head) == "":
        return None  # "shooting continued": the act itself is no actor
    toponym = mention.location.toponym if mention.location is not None else None
    if toponym is not None and toponym.start <= head.idx < toponym.end:
        return None
    return token


def _participants(mention: Mention, kinds: set[str]) -> Token | None:
    """The demonstrators when the parse gave no argument: "women protesting", the nearest people noun."""
    trigger = mention.trigger
    if trigger.dep_ in {"acl", "relcl"} and noun_kind(trigger.head) in kinds:
        return trigger.head
    candidates = [t for t in (mention.clause or list(mention.sentence))
                  if t.pos_ in {"NOUN", "PROPN"} and t.dep_ not in {"compound", "amod", "poss"}
                  and (noun_kind(t) in kinds or t.lemma_.lower() in PROTESTER) and _usable(t, mention) is not None]
    return min(candidates, key=lambda t: abs(t.i - trigger.i)) if candidates else None


def _governor_arguments(anchor: Token) -> tuple[Token | None, Token | None]:
    """Agent and patient from the verb that governs a nominal trigger or an adverbial clause: "Al Shabaab
    militants fired mortar shells ..., killing a woman"; "Russia launched drones at Sumy, killing two"."""
    verb = anchor
    for _ in range(4):
        if verb.pos_ in {"VERB", "AUX"} or verb.head.i == verb.i:
            break
        verb = verb.head
    if verb.pos_ not in {"VERB", "AUX"}:
        return None, None
    agent = next((c for c in verb.children if c.dep_ == "nsubj" and c.pos_ != "PRON"), None)
    if agent is None and verb.dep_ in {"advcl", "xcomp", "conj"}:
        agent = next((c for c in verb.head.children if c.dep_ == "nsubj" and c.pos_ != "PRON"), None)
    patient = None
    for child in verb.children:
        if child.dep_ in {"advcl", "xcomp", "conj"} and child.lemma_.lower() in {"kill", "wound", "injure"} and \
                not any(g.dep_ in {"nsubj", "nsubjpass"} for g in child.children):
            patient = next((g for g in child.children if g.dep_ == "dobj" and noun_kind(g)), None)
            if patient is not None:
                break
    return agent, patient


def _named_sides(mention: Mention, agent: Token | None, patient: Token | None) -> list[Token]:
    """Heads of the armed sides the clause (else the sentence) names by a known group or as state forces or
    rebels, nearest the event word first; not the victims, the arguments already read, or the words of a place."""
    trigger = mention.trigger
    taken = {t.i for t in (agent, patient) if t is not None}
    found = []
    for tokens in (mention.clause, list(mention.sentence)):
        for token in tokens or []:
            if token.pos_ not in {"NOUN", "PROPN"} or token.dep_ in {"compound", "amod", "poss"} or \
                    token.i in taken or _usable(token, mention) is None:
                continue
            if noun_kind(token) in {"state", "rebel", "external"} or (
                    noun_kind(token) == "militia" and _group_of(_people_head(token))):
                found.append(token)
        if found:
            break
    return sorted(found, key=lambda t: abs(t.i - trigger.i))


def assign(mention: Mention, country: str, demonym: Callable[[str], str | None],
           when: dt.date | None = None) -> None:
    """Fill ``actor1``/``actor2`` and the associated actors of a coded mention, ACLED's way round.

    State forces are named with the government period of the event's day: the mention's date when it has one,
    else ``when`` (the publication date).
    """
    day = mention.date.event_date if mention.date is not None else when
    country = acled_country(country)

    def name(token: Token | None, kind: str) -> Actor | None:
        return name_actor(token, kind, country, demonym, day)

    def police() -> Actor | None:
        return Actor(state_forces_name("Police", country, day), "State forces", "state", country=country)

    sub = mention.sub_event_type
    event_type = SUB_EVENT_TYPES.get(sub, "")
    anchor = mention.trigger if mention.trigger.pos_ in {"VERB", "AUX"} else mention.trigger.head
    agent, patient = arguments(anchor, mention.trigger)
    if agent is None or patient is None:
        more_agent, more_patient = _governor_arguments(anchor)
        agent = agent if agent is not None else more_agent
        patient = patient if patient is not None else more_patient
    agent, patient = _usable(agent, mention), _usable(patient, mention)
    if patient is None:
        # "arrested on Wednesday a gang leader": the object, once a date or the place was dropped
        patient = next((_people_head(c) for node in (anchor, mention.trigger) for c in node.children
                        if c.dep_ in {"dobj", "nsubjpass"} and _usable(c, mention) is not None
                        and c.lemma_.lower() not in {"fire", "gas", "shot", "tear", "bullet"}), None)
    akind, pkind = actor_kind(agent, demonym), actor_kind(patient, demonym)
    protest_side = agent if akind in {"protester", "civilian"} else patient if pkind in {"protester",
                                                                                        "civilian"} else None
    force_side = agent if akind == "state" else patient if pkind == "state" else None
    a1: Actor | None
    a2: Actor | None = None
    assoc1: list[str] = []
    assoc2: list[str] = []
    if event_type == "Protests":
        if protest_side is None:
            protest_side = _participants(mention, {"protester", "civilian"})
        protesters = name(protest_side, "protester")
        assoc = associated(protest_side, country)
        assoc += [_organisation(org) for org in organisers(mention.trigger)]
        if sub == "Peaceful protest":
            a1, assoc1 = protesters, assoc
        else:
            # the demonstrators first and the force that met them second, whatever force it used
            a1, a2, assoc1 = protesters, name(force_side, "state") if force_side is not None else police(), assoc
    elif event_type == "Riots":
        crowd = agent if akind in {"rioter", "protester", "civilian", ""} else None
        if crowd is None or akind == "":
            crowd = _participants(mention, {"rioter", "protester", "civilian"}) or crowd
            if crowd is patient:
                crowd = None
        a1 = name(crowd, "rioter")
        if sub == "Mob violence" or pkind == "civilian":
            a2 = name(patient, "protester" if pkind == "protester" else "civilian")
            assoc2 = associated(patient, country)
        elif pkind == "state" or force_side is not None:
            a2 = name(force_side, "state")
        assoc1 = associated(crowd, country) if crowd is not None and noun_kind(crowd) in {
            "protester", "civilian", "rioter"} else []
    elif sub == "Arrests":
        a1 = name(agent, akind if akind in {"state", "rebel", "militia", "armed", "external"} else "state")
        if a1 is not None and agent is None:
            a1 = police()
        a2 = name(patient, pkind or "civilian") if patient is not None else None
        assoc2 = associated(patient, country)
    elif event_type == "Violence against civilians":
        a1 = name(agent, akind if akind not in {"", "civilian", "protester"} else "armed")
        a2 = name(patient, "civilian")
        assoc2 = associated(patient, country)
        if agent is not None and identity_militia(agent, country or "Unknown"):
            assoc1 = [a for a in associated(agent, country) if a.startswith("Pastoralists")]
    else:
        default = "state" if sub in {"Air/drone strike", "Government regains territory", "Chemical weapon"} \
            else "armed"
        communities = identity_militias(agent, country or "Unknown") if akind not in {"state", "rebel"} else []
        a1 = name(agent, akind or default) if akind not in {"civilian", "protester"} else name(None, default)
        if communities and a1 is not None and a1.inter != "Identity militia":
            # "elders of the Hawadle and Abgaal clans signed a ceasefire": the clans' militias
            a1 = Actor(communities[0], "Identity militia", "militia", a1.text, a1.start, a1.end, country)
        if len(communities) > 1 and not pkind:
            a2 = Actor(communities[1], "Identity militia", "militia", country=country)
        if a2 is None and patient is not None and pkind:
            a2 = name(patient, pkind)
            if pkind in {"civilian", "protester"}:
                assoc2 = associated(patient, country)
        elif a2 is None and event_type == "Battles":
            a2 = name(None, "armed" if (a1 and a1.kind == "state") else "state")
    if a1 is None:
        a1 = name(None, "armed")
    if event_type in {"Battles", "Explosions/Remote violence"} and a1 is not None and (
            (a1.text == "" and agent is None) or (akind == "" and a1.name.startswith("Unidentified"))):
        # the parse found no perpetrator: the act's own words ("Russian airstrikes", "the US-led coalition
        # airstrike", "rebel shelling"), else a side the sentence names elsewhere ("bombardment by regime forces",
        # "militants from the groups known as Liwa al-Fateh shelled ...", "clashes with the Syrian army")
        own_kind = actor_kind(mention.trigger, demonym) if mention.trigger.pos_ == "NOUN" else ""
        if own_kind in {"state", "rebel", "militia", "external"}:
            a1 = name(mention.trigger, own_kind) or a1
        elif a1.name.startswith("Unidentified Armed Group"):
            named = [found for found in (name(t, noun_kind(t)) for t in _named_sides(mention, agent, patient))
                     if found is not None and (a2 is None or found.name != a2.name)]
            if named:
                a1 = named[0]
    if a2 is not None and a1 is not None and a2.name == a1.name:
        # one side named twice: in a battle the other side is unknown; elsewhere there is no second actor
        a2 = name(None, "armed" if a1.kind == "state" else "state") if event_type == "Battles" else None
    mention.actor1, mention.actor2 = a1, a2
    mention.assoc1 = list(dict.fromkeys(assoc1))
    mention.assoc2 = list(dict.fromkeys(assoc2))
