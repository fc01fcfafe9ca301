"""Event-mention detection: sub-event types and the non-event filters, on sentences written for these tests."""

from __future__ import annotations

import pytest

from midan import detect, nlp


def coded(parse, text: str) -> list[tuple[str, str]]:
    return [(m.trigger.text, m.sub_event_type) for m in detect.mentions(parse(text)) if not m.rejected]


def rejected(parse, text: str) -> list[str]:
    return [m.rejected for m in detect.mentions(parse(text)) if m.rejected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hundreds of nurses marched through Lusaka on Monday demanding unpaid salaries.", "Peaceful protest"),
        ("Traders held a sit-in outside the governor's office in Kano.", "Peaceful protest"),
        ("Police fired tear gas to disperse students rallying in Nairobi.", "Protest with intervention"),
        ("Riot police arrested 14 demonstrators at a march in Harare.", "Protest with intervention"),
        ("Soldiers opened fire on protesters in Mandalay, killing three.", "Excessive force against protesters"),
        ("Rioters torched a police station in Kisumu.", "Violent demonstration"),
        ("A mob lynched a suspected thief in Onitsha.", "Mob violence"),
        ("Government troops clashed with rebels near Goma.", "Armed clash"),
        ("The army recaptured the town of Baga from insurgents.", "Government regains territory"),
        ("Militants seized control of the town of Mopti.", "Non-state actor overtakes territory"),
        ("Rebels recaptured the village of Kibirizi from the army.", "Non-state actor overtakes territory"),
        ("Dozens of militants surrendered to government forces in Kunduz.", "Agreement"),
        ("Police deactivated an explosive device found near a church in Cuernavaca.", "Disrupted weapons use"),
        ("Warplanes bombed the village of Kafr Nabl, killing six civilians.", "Air/drone strike"),
        ("A drone strike hit a convoy near Marib.", "Air/drone strike"),
        ("Artillery shelling hit residential areas of Kharkiv.", "Shelling/artillery/missile attack"),
        ("A roadside bomb killed four soldiers near Mosul.", "Remote explosive/landmine/IED"),
        ("A suicide bomber blew himself up at a market in Maiduguri.", "Suicide bomb"),
        ("Attackers hurled a grenade into a bar in Bujumbura.", "Grenade"),
        ("Government forces used chlorine gas on the town of Douma.", "Chemical weapon"),
        ("Gunmen shot dead a union leader in Kassala.", "Attack"),
        ("Armed men abducted 12 schoolgirls from a school in Zamfara.", "Abduction/forced disappearance"),
        ("Soldiers raped two women in a village near Bunia.", "Sexual violence"),
        ("Police arrested a journalist in Karachi.", "Arrests"),
        ("Militiamen looted shops and torched houses in Kalehe.", "Looting/property destruction"),
        ("Soldiers defused a bomb planted under a bridge in Kaduna.", "Disrupted weapons use"),
        ("The two sides signed a ceasefire agreement in Doha.", "Agreement"),
        ("The rebels established a new base in the hills above Bria.", "Headquarters or base established"),
        ("Government troops withdrew from the town of Kidal.", "Non-violent transfer of territory"),
        ("The authorities imposed a curfew on Jos.", "Change to group/activity"),
    ],
)
def test_detect_codes_sub_event_type(parse, text, expected):
    types = [sub for _, sub in coded(parse, text)]
    assert types, f"nothing coded in {text!r}"
    assert types[0] == expected or expected in types


def test_detect_tear_gas_is_not_a_chemical_weapon(parse):
    types = [sub for _, sub in coded(parse, "Police fired tear gas at protesters in Santiago.")]
    assert "Chemical weapon" not in types
    assert "Protest with intervention" in types


def test_detect_stun_grenades_are_not_grenades(parse):
    types = [sub for _, sub in coded(parse, "Police threw stun grenades at marchers in Tbilisi.")]
    assert "Grenade" not in types


def test_detect_labour_strike_is_a_protest_not_an_air_strike(parse):
    assert [s for _, s in coded(parse, "Dock workers went on strike in Mombasa.")] == ["Peaceful protest"]


def test_detect_rejects_quoted_chant(parse):
    text = "'Burn the palace in Khartoum!' the crowd chanted."
    assert coded(parse, text) == []
    assert any(r.startswith("quote/chant") for r in rejected(parse, text))


def test_detect_rejects_double_quoted_threat(parse):
    text = '"We will kill every soldier in Gao," the commander said.'
    assert coded(parse, text) == []


def test_detect_rejects_negated_act(parse):
    text = "Police did not open fire on the crowd in Lagos."
    assert coded(parse, text) == []
    assert any(r.startswith("negated") for r in rejected(parse, text))


def test_detect_rejects_denial(parse):
    text = "The army denied shelling the village of Tumba."
    assert coded(parse, text) == []
    assert any(r.startswith("negated") for r in rejected(parse, text))


@pytest.mark.parametrize(
    "text",
    [
        "The union threatened to strike in Accra next week.",
        "Opposition leaders called for a march on the parliament in Dhaka.",
        "Students will protest in Lima on Friday.",
        "Rebels vowed to attack the garrison in Beni.",
        "If the talks fail, the militia could seize the town of Kumba.",
    ],
)
def test_detect_rejects_threats_plans_and_future(parse, text):
    assert coded(parse, text) == []
    assert any(r.startswith("threat/plan/future") for r in rejected(parse, text))


def test_detect_rejects_aggregate_tally(parse):
    text = "Activists say more than 300 protesters have been killed since 2019."
    assert coded(parse, text) == []
    assert any(r.startswith("aggregate") for r in rejected(parse, text))


def test_detect_rejects_a_running_death_toll(parse):
    text = "In Gujarat the death toll now stands at 667, officials said."
    assert coded(parse, text) == []
    assert any(r.startswith("aggregate") for r in rejected(parse, text))


def test_detect_rejects_accidents(parse):
    assert coded(parse, "A bus crash killed eleven passengers near Mbeya.") == []


def test_detect_finds_each_event_of_a_semicolon_sentence(parse):
    text = ("Students marched in Khartoum; paramilitary fighters stormed a sit-in in Omdurman; "
            "gunmen shot dead a union leader in Kassala.")
    found = coded(parse, text)
    assert len(found) == 3
    assert [s for _, s in found] == ["Peaceful protest", "Protest with intervention", "Attack"]


def test_detect_clause_tokens_do_not_overlap(parse):
    text = "Students marched in Khartoum; gunmen shot dead a union leader in Kassala."
    found = detect.mentions(parse(text))
    seen: set[int] = set()
    for mention in found:
        indices = {t.i for t in mention.clause}
        assert not indices & seen
        seen |= indices
    assert {"Kassala", "leader"} <= {t.text for t in found[-1].clause}


def test_detect_explain_names_the_rule(parse):
    mention = detect.mentions(parse("Police did not open fire in Lagos."))[0]
    explained = mention.explain()
    assert explained["rejected"].startswith("negated")
    assert explained["trigger"] in explained["text"]


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ('He said "no" twice.', ['"no"']),
        ("'Freedom, peace, justice!' they chanted.", ["'Freedom, peace, justice!'"]),
        ("The protesters' banners read “Leave now”.", ["“Leave now”"]),
    ],
)
def test_detect_quote_spans(text, spans):
    assert [text[s:e] for s, e in nlp.quote_spans(text)] == spans


def test_detect_a_person_seized_is_abducted(parse):
    found = coded(parse, "Magombeyi was seized from his Harare home by unidentified men.")
    assert ("seized", "Abduction/forced disappearance") in found


def test_detect_a_flag_march_is_not_a_protest(parse):
    found = coded(parse, "The army staged flag marches in several areas of the city.")
    assert not any(sub == "Peaceful protest" for _, sub in found)


def test_detect_a_general_statement_is_background(parse):
    assert any(r.startswith("background: a general statement") for r in rejected(
        parse, "Kidnapping for ransom has become a lucrative business in northwestern Nigeria."))
    assert coded(parse, "The kidnapping was carried out by gunmen in Gusau on Monday.")


def test_detect_shots_into_the_air_are_not_an_attack(parse):
    assert any("shots into the air" in r for r in rejected(
        parse, "The attackers arrived on motorcycles, firing into the air, and marched their captives away."))


def test_detect_a_habitual_description_and_a_role_are_not_events(parse):
    found = rejected(parse, "Bukar, a member of a militia that fights alongside the army, said Boko Haram has used "
                            "women as suicide bombers.")
    assert any(r.startswith("background: a habitual description") for r in found)
    assert any(r.startswith("not an event: a role") for r in found)
