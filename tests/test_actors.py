"""ACLED actor naming and roles, on sentences written for these tests."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from midan import actors, detect
from midan.mention import EventDate
from midan.schema import DISORDER_OVERRIDES, DISORDER_TYPES, INTER_CODES, SUB_EVENT_TYPES, interaction

# demonyms and country names as the gazetteer answers them (GeoNames spellings, not ACLED's)
DEMONYMS = {"Nigerian": "Nigeria", "Sudanese": "Sudan", "Kenyan": "Kenya", "Russian": "Russia", "Russia": "Russia",
            "Ukrainian": "Ukraine", "Israeli": "Israel", "American": "United States",
            "Congolese": "Democratic Republic of the Congo"}
DAY = dt.date(2025, 3, 12)


def coded_actors(parse, text: str, country: str, when: dt.date | None = None):
    found = detect.coded(detect.mentions(parse(text)))
    assert found, f"nothing coded in {text!r}"
    mention = found[0]
    actors.assign(mention, country, DEMONYMS.get, when)
    return mention


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("police", "state"), ("Soldiers", "state"), ("rebels", "rebel"), ("gunmen", "armed"),
        ("protesters", "protester"), ("rioters", "rioter"), ("villagers", "civilian"),
        ("Boko Haram", "rebel"), ("a checkpoint", "state"), ("thousands of students", "civilian"),
    ],
)
def test_actors_noun_kind(parse, text, kind):
    doc = parse(f"They saw {text}.")
    head = next(t for t in doc if t.dep_ in {"dobj", "pobj"} and t.head.lemma_ == "see")
    assert actors.noun_kind(head) == kind


def test_actors_victim_is_actor2_in_violence_against_civilians(parse):
    mention = coded_actors(parse, "Gunmen shot dead a union leader in Kassala.", "Sudan")
    assert mention.sub_event_type == "Attack"
    assert mention.actor1.name == "Unidentified Armed Group (Sudan)"
    assert mention.actor1.inter == "Political militia"
    assert mention.actor2.name == "Civilians (Sudan)"
    assert mention.actor2.inter_code == 7
    assert "Labor Group (Sudan)" in mention.assoc2


def test_actors_protest_names_protesters_and_associated_students(parse):
    mention = coded_actors(parse, "Thousands of students marched in Khartoum.", "Sudan")
    assert mention.actor1.name == "Protesters (Sudan)"
    assert mention.actor2 is None
    assert mention.assoc1 == ["Students (Sudan)"]


def test_actors_intervention_puts_police_second(parse):
    mention = coded_actors(parse, "Police fired tear gas to disperse students rallying in Nairobi.", "Kenya", DAY)
    assert mention.sub_event_type == "Protest with intervention"
    assert mention.actor1.name == "Protesters (Kenya)"
    assert mention.actor2.name == "Police Forces of Kenya (2022-)"


def test_actors_excessive_force_puts_the_protesters_first(parse):
    # a demonstration event's first actor is its crowd, whatever force met it (as in the article-events coding)
    mention = coded_actors(parse, "Soldiers opened fire on protesters in Mandalay, killing three.", "Myanmar", DAY)
    assert mention.sub_event_type == "Excessive force against protesters"
    assert mention.actor1.name == "Protesters (Myanmar)"
    assert mention.actor2.name == "Military Forces of Myanmar (2021-)"


def test_actors_demonym_sets_the_force_country(parse):
    mention = coded_actors(parse, "Nigerian troops clashed with Boko Haram fighters near Bama.", "Nigeria", DAY)
    names = {mention.actor1.name, mention.actor2.name}
    assert "Military Forces of Nigeria (2023-)" in names
    assert "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad" in names


def test_actors_evidence_span_names_the_actor(parse):
    text = "Gunmen shot dead a union leader in Kassala."
    mention = coded_actors(parse, text, "Sudan")
    assert text[mention.actor1.start:mention.actor1.end] == "Gunmen"
    assert "leader" in text[mention.actor2.start:mention.actor2.end]


def test_actors_arrests_default_to_police(parse):
    mention = coded_actors(parse, "A journalist was arrested in Karachi.", "Pakistan")
    assert mention.sub_event_type == "Arrests"
    assert mention.actor1.name == "Police Forces of Pakistan"
    assert mention.actor2.name == "Civilians (Pakistan)"
    assert "Journalists (Pakistan)" in mention.assoc2


# --- periods of government --------------------------------------------------------------------------------------


def test_actors_period_table_is_well_formed():
    table = actors.state_periods()
    assert len(table) >= 70
    for country, periods in table.items():
        assert actors.acled_country(country) == country, f"{country} is not ACLED's spelling"
        for before, after in itertools.pairwise(periods):
            assert before.end is not None and before.end <= after.start
    for country in ("Nigeria", "Kenya", "Ethiopia", "Sudan", "India", "Myanmar", "Colombia", "Brazil", "Mexico",
                    "Ukraine", "Russia", "United States", "Democratic Republic of Congo", "Somalia", "Mali"):
        assert country in table


@pytest.mark.parametrize(
    ("branch", "country", "day", "name"),
    [
        ("Military", "Sudan", dt.date(2025, 11, 12), "Military Forces of Sudan (2019-)"),
        ("Military", "Sudan", dt.date(2018, 12, 20), "Military Forces of Sudan (1989-2019)"),
        ("Police", "India", dt.date(2024, 6, 1), "Police Forces of India (2014-)"),
        ("Military", "Nigeria", dt.date(2023, 5, 28), "Military Forces of Nigeria (2015-2023)"),
        ("Military", "Nigeria", dt.date(2023, 5, 29), "Military Forces of Nigeria (2023-)"),
        ("Military", "United States", dt.date(2023, 7, 4), "Military Forces of the United States (2021-2025)"),
        ("Police", "United States", dt.date(2025, 6, 14), "Police Forces of the United States (2025-)"),
        ("Military", "Mali", dt.date(2020, 12, 1), "Military Forces of Mali (2020-2021)"),
        ("Military", "Democratic Republic of the Congo", dt.date(2025, 1, 27),
         "Military Forces of Democratic Republic of Congo (2019-)"),
        ("Military", "Russia", dt.date(2024, 2, 24), "Military Forces of Russia (2000-)"),
        ("Police", "Kenya", dt.date(2020, 6, 1), "Police Forces of Kenya (2013-2022)"),
        ("Police", "Iceland", dt.date(2025, 1, 1), "Police Forces of Iceland"),  # not in the table: no period
        ("Police", "Kenya", None, "Police Forces of Kenya"),  # no date: no period
        ("Military", "Sudan", dt.date(1970, 1, 1), "Military Forces of Sudan"),  # before the table
    ],
)
def test_actors_state_forces_carry_the_period_of_the_event_date(branch, country, day, name):
    assert actors.state_forces_name(branch, country, day) == name


def test_actors_period_table_refuses_bad_rows():
    good = "country,start,end\nAtlantis,2001-01-01,2010-05-01\nAtlantis,2010-05-01,\n"
    assert actors.parse_state_periods(good)["Atlantis"][1].label == "(2010-)"
    with pytest.raises(ValueError, match="overlap"):
        actors.parse_state_periods("country,start,end\nAtlantis,2001-01-01,\nAtlantis,2010-05-01,\n")
    with pytest.raises(ValueError, match="ends before"):
        actors.parse_state_periods("country,start,end\nAtlantis,2010-01-01,2001-01-01\n")
    with pytest.raises(ValueError, match=":2"):
        actors.parse_state_periods("country,start,end\nAtlantis,first of May,\n")
    with pytest.raises(ValueError, match="header"):
        actors.parse_state_periods("name,from,to\n")


def test_actors_period_follows_the_event_date_over_the_fallback(parse):
    text = "Police fired tear gas to disperse students rallying in Nairobi."
    older = coded_actors(parse, text, "Kenya", dt.date(2019, 10, 1))
    assert older.actor2.name == "Police Forces of Kenya (2013-2022)"
    mention = detect.coded(detect.mentions(parse(text)))[0]
    mention.date = EventDate(dt.date(2021, 3, 1), dt.date(2021, 3, 1), dt.date(2021, 3, 1), 1, None, "sentence")
    actors.assign(mention, "Kenya", DEMONYMS.get, DAY)  # the mention's own date wins over the publication date
    assert mention.actor2.name == "Police Forces of Kenya (2013-2022)"


def test_actors_acled_country_names():
    assert actors.acled_country("Democratic Republic of the Congo") == "Democratic Republic of Congo"
    assert actors.acled_country("Palestinian Territory") == "Palestine"
    assert actors.acled_country("Kenya") == "Kenya"
    assert actors.acled_country("") == ""


def test_actors_congo_is_named_the_acled_way(parse):
    mention = coded_actors(parse, "Gunmen killed five villagers in Beni.", "Democratic Republic of the Congo", DAY)
    assert mention.actor1.name == "Unidentified Armed Group (Democratic Republic of Congo)"
    assert mention.actor2.name == "Civilians (Democratic Republic of Congo)"


# --- foreign forces -----------------------------------------------------------------------------------------------


def test_actors_foreign_forces_keep_their_country_and_are_external(parse):
    mention = coded_actors(parse, "Russian troops shelled Ukrainian positions near Bakhmut.", "Ukraine", DAY)
    assert (mention.actor1.name, mention.actor1.inter) == ("Military Forces of Russia (2000-)",
                                                           "External/Other forces")
    assert (mention.actor2.name, mention.actor2.inter) == ("Military Forces of Ukraine (2019-)", "State forces")


@pytest.mark.parametrize(
    "text",
    ["Russian missiles struck a market in Kharkiv, killing four civilians.",
     "Russia launched drones at Sumy, killing two people."],
)
def test_actors_a_states_weapons_are_its_forces_not_an_unidentified_group(parse, text):
    mention = coded_actors(parse, text, "Ukraine", DAY)
    assert mention.actor1.name == "Military Forces of Russia (2000-)"
    assert mention.actor1.inter == "External/Other forces"
    assert mention.actor2.name == "Civilians (Ukraine)"


def test_actors_forces_at_home_are_state_forces(parse):
    mention = coded_actors(parse, "Russian troops clashed with Ukrainian saboteurs near Belgorod.", "Russia", DAY)
    assert (mention.actor1.name, mention.actor1.inter) == ("Military Forces of Russia (2000-)", "State forces")


# --- unnamed and identity groups ------------------------------------------------------------------------------------


def test_actors_identity_militia(parse):
    mention = coded_actors(parse, "Fulani militiamen attacked farmers in Benue, killing seven.", "Nigeria")
    assert mention.actor1.name == "Fulani Ethnic Militia (Nigeria)"
    assert mention.actor1.inter == "Identity militia"


def test_actors_herdsmen_who_attack_are_an_ethnic_militia(parse):
    mention = coded_actors(parse, "Fulani herdsmen attacked farmers in Benue, killing seven.", "Nigeria")
    assert (mention.actor1.name, mention.actor1.inter) == ("Fulani Ethnic Militia (Nigeria)", "Identity militia")
    assert mention.assoc1 == ["Pastoralists (Nigeria)"]
    assert mention.actor2.name == "Civilians (Nigeria)" and mention.assoc2 == ["Farmers (Nigeria)"]


def test_actors_clan_militias_are_named_by_clan(parse):
    mention = coded_actors(parse, "Abgaal clan militia clashed with Habar Gidir clan militia in Galkayo.", "Somalia")
    assert {mention.actor1.name, mention.actor2.name} == {"Abgaal Clan Militia (Somalia)",
                                                          "Habar Gidir Clan Militia (Somalia)"}
    assert interaction(mention.actor1.inter, mention.actor2.inter) == "Identity militia-Identity militia"


def test_actors_both_clans_of_an_agreement(parse):
    mention = coded_actors(parse, "Elders of the Hawadle and Abgaal clans signed a ceasefire in Beledweyne.",
                           "Somalia")
    assert mention.sub_event_type == "Agreement"
    assert (mention.actor1.name, mention.actor2.name) == ("Hawadle Clan Militia (Somalia)",
                                                          "Abgaal Clan Militia (Somalia)")


def test_actors_unnamed_communal_militia(parse):
    mention = coded_actors(parse, "Communal militia attacked villagers in Djugu, killing five.", "Democratic "
                           "Republic of the Congo")
    assert mention.actor1.name == "Unidentified Communal Militia (Democratic Republic of Congo)"
    assert mention.actor1.inter_code == 4


def test_actors_unnamed_assailants_are_an_unidentified_armed_group(parse):
    mention = coded_actors(parse, "Unidentified assailants abducted three women in Zamfara.", "Nigeria")
    assert mention.sub_event_type == "Abduction/forced disappearance"
    assert mention.actor1.name == "Unidentified Armed Group (Nigeria)" and mention.actor1.inter_code == 3
    assert mention.actor2.name == "Civilians (Nigeria)"
    assert mention.assoc2 == ["Women (Nigeria)"]


def test_actors_named_group_behind_of(parse):
    mention = coded_actors(parse, "Fighters of the Rapid Support Forces attacked villagers in Tawila.", "Sudan")
    assert mention.actor1.name == "Rapid Support Forces"


def test_actors_taliban_are_state_forces_once_in_power(parse):
    text = "Taliban fighters detained a journalist in Kabul."
    now = coded_actors(parse, text, "Afghanistan", DAY)
    assert (now.actor1.name, now.actor1.inter) == ("Military Forces of Afghanistan (2021-)", "State forces")
    before = coded_actors(parse, text, "Afghanistan", dt.date(2019, 5, 1))
    assert (before.actor1.name, before.actor1.inter) == ("Taliban", "Rebel group")


def test_actors_gangs_carry_the_country(parse):
    mention = coded_actors(parse, "Cartel gunmen killed six people in Culiacan.", "Mexico")
    assert mention.actor1.name == "Unidentified Gang (Mexico)"


# --- demonstrators and their associated actors --------------------------------------------------------------------


def test_actors_women_protesting_are_associated(parse):
    mention = coded_actors(parse, "Police fired tear gas at hundreds of women protesting in Nairobi.", "Kenya", DAY)
    assert mention.actor1.name == "Protesters (Kenya)"
    assert mention.assoc1 == ["Women (Kenya)"]
    assert mention.actor2.name == "Police Forces of Kenya (2022-)"


def test_actors_union_and_organiser_are_associated(parse):
    mention = coded_actors(parse, "Teachers marched in Lusaka in a protest organised by the Zambia National Union "
                           "of Teachers.", "Zambia")
    assert mention.actor1.name == "Protesters (Zambia)"
    assert mention.assoc1 == ["Teachers (Zambia)", "Zambia National Union of Teachers"]


def test_actors_named_group_of_demonstrators_is_associated_not_the_actor(parse):
    mention = coded_actors(parse, "Hamas supporters marched in Gaza.", "Palestinian Territory")
    assert mention.actor1.name == "Protesters (Palestine)"
    assert mention.assoc1 == ["Hamas Movement"]


def test_actors_rioters(parse):
    mention = coded_actors(parse, "Rioters torched a police station in Kisumu.", "Kenya", DAY)
    assert mention.sub_event_type == "Violent demonstration"
    assert mention.actor1.name == "Rioters (Kenya)" and mention.actor1.inter_code == 5


def test_actors_mob_victim_is_a_civilian(parse):
    mention = coded_actors(parse, "A mob lynched a suspected thief in Kano.", "Nigeria")
    assert (mention.actor1.name, mention.actor2.name) == ("Rioters (Nigeria)", "Civilians (Nigeria)")


# --- ACLED's derived columns ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "inter2", "targeted"),
    [
        ("Attack", "Civilians", True), ("Sexual violence", "Civilians", True),
        ("Abduction/forced disappearance", "Civilians", True),
        ("Excessive force against protesters", "Protesters", True),
        ("Shelling/artillery/missile attack", "Civilians", True), ("Air/drone strike", "Civilians", True),
        ("Air/drone strike", "State forces", False), ("Mob violence", "Civilians", True),
        ("Violent demonstration", "State forces", False), ("Armed clash", "Civilians", False),
        ("Arrests", "Civilians", False), ("Protest with intervention", "State forces", False),
        ("Peaceful protest", "", False), ("Looting/property destruction", "Civilians", False),
    ],
)
def test_actors_civilian_targeting(sub, inter2, targeted):
    assert actors.civilian_targeting(sub, inter2) == ("Civilians targeted" if targeted else "")


@pytest.mark.parametrize(
    ("inter1", "inter2", "label"),
    [
        ("Protesters", "State forces", "State forces-Protesters"),
        ("Political militia", "Civilians", "Political militia-Civilians"),
        ("External/Other forces", "Civilians", "External/Other forces-Civilians"),
        ("Civilians", "External/Other forces", "External/Other forces-Civilians"),
        ("External/Other forces", "State forces", "State forces-External/Other forces"),
        ("Rioters", "", "Rioters only"),
    ],
)
def test_actors_interaction_labels_are_acleds(inter1, inter2, label):
    assert interaction(inter1, inter2) == label
    assert all(interaction(i, j) for i in INTER_CODES for j in INTER_CODES)


def test_actors_disorder_type_of_every_sub_event_type():
    expected = {
        "Political violence": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory",
                               "Mob violence", "Chemical weapon", "Air/drone strike", "Suicide bomb",
                               "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade",
                               "Sexual violence", "Attack", "Abduction/forced disappearance"},
        "Political violence; Demonstrations": {"Excessive force against protesters"},
        "Demonstrations": {"Peaceful protest", "Protest with intervention", "Violent demonstration"},
    }
    for sub, event_type in SUB_EVENT_TYPES.items():
        disorder = DISORDER_OVERRIDES.get(sub, DISORDER_TYPES[event_type])
        want = next((d for d, subs in expected.items() if sub in subs), "Strategic developments")
        assert disorder == want, sub


@pytest.mark.parametrize("text", [
    "Five people were killed in police firing in Ahmedabad on Monday.",
    "Two men were shot dead in an encounter with the police in Ahmedabad on Monday.",
])
def test_actors_force_phrase_names_the_police_as_actor1(parse, text):
    mention = coded_actors(parse, text, "India")
    assert mention.actor1 is not None and mention.actor1.name.startswith("Police Forces of India")
