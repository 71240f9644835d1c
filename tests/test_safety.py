"""Red-flag rules on recognizer-style text: every report found, negations and questions not."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from voiceback.nlu.safety import KINDS, SafetyFinding, SafetyRules


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.blank("en")


@pytest.fixture(scope="module")
def rules(nlp: Language) -> SafetyRules:
    return SafetyRules(nlp.vocab)


def check(rules: SafetyRules, nlp: Language, text: str) -> SafetyFinding:
    return rules(nlp(text))


REPORTS = {
    "numbness": [
        "my left leg is numb",
        "numb leg",
        "my foot has gone numb",
        "my toes are numb",
        "i've got numbness in my right foot",
        "i can't feel my feet",
        "i cant feel my left leg",
        "i cannot feel my toes",
        "there's no feeling in my leg",
        "i've lost feeling in my foot",
        "my leg feels dead",
        "dead leg since the spasm",
        "my groin is numb",
        "numbness around my bum",
        "saddle numbness",
        "i'm numb between my legs",
        "im numb in my groin",
        "my bottom feels numb when i sit",
        "my thigh went numb",
        "my leg keeps going numb",
        "i think my leg is going numb",
        "i can't feel anything down there",
        "can't feel my foot properly",
        "my leg fell asleep and it's still asleep",
        "i have no feeling in my toes at all",
        "it's numb down the side of my leg",
        "i don't know why but my leg is numb",
        "i don't know why my leg is numb",
        "is it serious my leg is numb",
        "my leg's gone numb is that bad",
        "why is my foot numb",
        "my leg is numb what should i do",
        "no my leg is numb",
        "yeah my foot is numb",
        "uh my foot is kind of numb",
        "numbness in both legs",
        "is this numbness serious",
        "what does it mean that my leg is numb",
        "should i worry about the numbness in my leg",
        "i'm worried about the numbness in my foot",
        "not sure if it's relevant my leg is numb",
        "my leg is numb i don't know if that matters",
        "my friend had numbness and i do too",
        "i can't feel my leg ok",
        "i can't feel my bum when i wipe",
    ],
    "weakness": [
        "my leg is weak",
        "my legs feel weak and wobbly",
        "weakness in my left leg",
        "i feel weak",
        "my hands feel weak after carrying shopping",
        "my leg gave way",
        "my knees buckled",
        "my legs keep giving way when i stand",
        "my leg buckled under me",
        "i can't lift my foot up",
        "i can't lift my leg",
        "i cant raise my foot",
        "foot drop",
        "i've got foot drop on the left",
        "my foot is dragging",
        "i keep tripping over my own foot",
        "my leg won't hold my weight",
        "my legs won't support me",
        "i can't stand on my toes",
        "i can't walk on my heels",
        "no strength in my legs",
        "my legs have gone weak since the spasm",
        "my leg collapsed when i got up",
        "my leg feels heavy",
        "i can't move my legs",
        "i can't wiggle my toes",
        "is it bad that my leg is weak",
        "my right leg is weaker than my left",
        "my husband says my leg looks weak",
        "my legs went from under me",
    ],
    "tingling": [
        "tingling in my foot",
        "my toes are tingling",
        "pins and needles in my leg",
        "i've got pins and needles down my leg",
        "i have pins n needles in my foot",
        "my leg feels tingly",
        "there's tingling down the back of my leg",
        "tingles in my feet",
        "my foot is prickling",
        "my leg's buzzing",
        "i keep getting pins and needles in my toes",
        "i've had tingling in my leg since this morning",
        "uh tingling down my thigh",
        "why do i get pins and needles in my foot",
    ],
    "radiating": [
        "the pain shoots down my leg",
        "shooting pain down my leg",
        "sciatica",
        "pain going down my leg to my foot",
        "the pain is radiating into my foot",
        "it goes all the way down my leg",
        "i think it's sciatica",
        "is this sciatica",
        "could it be sciatica",
        "it's going down the back of my leg",
        "the pain travels down to my knee",
        "pain runs down my leg into my toes",
        "burning pain down my leg",
        "electric shocks down my leg",
        "my back pain is spreading down my thigh",
        "it hurts all the way down to my ankle",
        "sharp pain into my calf",
        "i've got sciatic pain",
        "the pain's moved down into my leg",
        "shooting pains in my left leg",
    ],
    "bladder": [
        "i wet myself",
        "i've wet myself",
        "i peed myself",
        "i pissed myself",
        "i can't hold my wee",
        "i can't hold my urine",
        "i've lost control of my bladder",
        "loss of bladder control",
        "i'm incontinent",
        "i can't control my bladder",
        "i can't pee",
        "i haven't been able to pee since this morning",
        "i'm leaking pee",
        "i wet the bed",
        "i can't tell when i need to pee",
        "i didn't know i was weeing",
        "i've wet my trousers",
        "my bladder feels strange",
        "i've got no bladder control",
        "i'm not in control of my bladder",
        "i've got no control over my bladder",
    ],
    "bowel": [
        "i pooed myself",
        "i've soiled myself",
        "i can't control my bowels",
        "lost control of my bowels",
        "loss of bowel control",
        "i've lost bowel control",
        "i pooped my pants",
        "i can't hold my poo",
        "i shat myself",
        "my bowels are not working",
        "i can't feel when i need a poo",
        "i can't control when i poop",
        "i've got no control over my bowels",
    ],
    "over_12_hours": [
        "it's been fourteen hours",
        "the spasm has lasted 13 hrs",
        "it's been 13hrs",
        "i've had this spasm since yesterday",
        "it's been two days",
        "the pain has been going on all night and all day",
        "more than twelve hours of spasms",
        "it's lasted over a day",
        "this spasm started 2 days ago and it's still bad",
        "my back has been in spasm for 24 hours",
        "twenty four hours of agony",
        "it's been twelve hours",
        "severe pain for a week",
        "i've been in agony for 3 days",
        "my back's been spasming since monday",
        "it's been 15 hours and i'm still in pain",
        "a day and a half of this",
        "day three of this spasm",
        "this is the second day of the spasm",
        "the spasm started last night and it's still going",
        "it's been going on since last night",
        "spasms for over 12 hours",
        "still agony after 14 hours",
        "it's been more than a day",
        "for the past two days my back has been seizing up",
        "nearly 2 days now",
        "thirty six hours",
        "it's been twelve hours is that bad",
        "how long will this last it's been two days",
        "it's been going on for days",
        "it started at six this morning and it's midnight now",
    ],
}

# Reports that a naive negation or question rule would miss.
RECALL_TRAPS = [
    "my back has been in spasm since last night",
    "it's been seizing up since last monday",
    "i can't sleep my leg is numb",
    "i cannot stand the pain it's shooting down my leg",
    "nothing helps my leg is numb",
    "without warning my leg went numb",
    "i can't walk without my leg giving way",
    "i haven't got no feeling in my leg",
    "not numb exactly more like tingling",
    "it isn't just my back my leg is numb too",
    "i can't tell if my leg is numb or just cold",
    "if i stand up my leg goes numb",
    "if i lie on my side my leg goes numb",
    "whenever i bend over i get pins and needles",
    "no i'm not fine my leg is numb",
    "i don't want to panic but i wet myself",
    "i can hardly feel my leg",
    "i can barely lift my foot",
    "i dont have any feeling in my leg",
    "pain in my bum and down my leg",
    "i didn't make it to the loo in time",
    "i wonder if it's sciatica",
    "how do i know if i have sciatica",
    "why would my leg go numb",
    "my friend said it might be sciatica because the pain goes down my leg",
    "i had sciatica years ago and now it's back",
    "i can't go to the toilet",
    "i've had a little accident",
    "it's been 2 and a half days",
    "since friday night",
    "the spasm hasn't stopped for 16 hours",
    "set a timer for ten minutes my foot's gone numb",
]

MIXED = [
    # text, must be reported, must be dismissed
    ("no numbness but i wet myself", {"bladder"}, {"numbness"}),
    ("i'm not numb but my leg is weak", {"weakness"}, {"numbness"}),
    ("no tingling however my foot is numb", {"numbness"}, {"tingling"}),
    ("my friend had numbness but my leg is weak", {"weakness"}, {"numbness"}),
    ("no pins and needles but the pain shoots down my leg", {"radiating"}, {"tingling"}),
    ("it's not been twelve hours yet but my leg is numb", {"numbness"}, set()),
    ("what if my leg goes numb because my foot is already tingling", {"tingling"}, {"numbness"}),
    ("i don't have sciatica but i can't feel my toes", {"numbness"}, {"radiating"}),
    ("neither numb nor weak but i peed myself", {"bladder"}, {"numbness", "weakness"}),
    ("no numbness i feel weak", {"weakness"}, {"numbness"}),
    ("no pain my leg is numb", {"numbness"}, set()),
    ("my bladder is fine but my leg gave way", {"weakness"}, {"bladder"}),
    ("is numbness serious because i have it in my foot", set(), {"numbness"}),
    ("no loss of bladder control although my foot is numb", {"numbness"}, {"bladder"}),
]

NOT_REPORTS = [
    # "since my last ..." is about a medicine, not how long the spasm has lasted
    "how long since my last tablets",
    "how long has it been since my last painkiller",
    # negated
    "no numbness",
    "no numbness at all",
    "there's no numbness",
    "i'm not numb",
    "my leg isn't numb",
    "my legs aren't numb",
    "i don't have any numbness",
    "i haven't got any numbness in my legs",
    "no numbness or tingling",
    "no numbness tingling or weakness",
    "neither numb nor weak",
    "never had numbness",
    "i can feel my legs fine",
    "i can feel my feet",
    "i can still feel my toes",
    "no tingling in my feet",
    "without any tingling",
    "i never get pins and needles",
    "never had pins and needles",
    "i haven't had pins and needles",
    "no pins and needles",
    "my toes aren't tingling",
    "my legs aren't weak",
    "no weakness",
    "no weakness in my legs",
    "i don't feel weak",
    "my legs don't feel weak",
    "my leg isn't giving way",
    "i can lift my foot",
    "i can stand on my toes",
    "the pain doesn't go down my leg",
    "the pain isn't going down my leg",
    "it doesn't shoot down my leg",
    "no pain down my leg",
    "no shooting pains in my legs",
    "it's not sciatica",
    "i haven't lost control of my bladder",
    "haven't lost bladder control",
    "no loss of bladder control",
    "no bladder problems",
    "my bladder is fine",
    "bladder's fine",
    "no problems with my bowels",
    "my bowels are normal",
    "i haven't wet myself",
    "i've not peed myself",
    "no incontinence",
    "i'm not incontinent",
    "no it's not numb",
    # short or negated durations
    "it's only been an hour",
    "it's been about an hour",
    "only two hours",
    "it's been eleven hours",
    "it started ten minutes ago",
    "it's been forty minutes",
    "it hasn't been twelve hours",
    "it's not been a day yet",
    "the spasm lasted 5 minutes",
    "i had a spasm for half an hour",
    "not even a day",
    "it's been going on since this morning",
    "all night",
    # hypothetical, general, or someone else
    "what if my leg goes numb",
    "what if i get numbness",
    "should i worry if i get pins and needles",
    "is losing bladder control an emergency",
    "what does it mean if pain shoots down your leg",
    "in case i get numbness",
    "can a spasm cause numbness",
    "my friend had numbness",
    "my husband's leg went numb last year",
    "can a back spasm cause sciatica",
    "does sciatica go away",
    "how long does sciatica last",
    "is numbness serious",
    "is tingling normal with a spasm",
    "what causes pins and needles",
    "can you lose bladder control from a back spasm",
    "is weakness in the legs serious",
    "if my leg gives way what should i do",
    "if i can't feel my legs should i call an ambulance",
    "what are the signs of sciatica",
    "tell me about sciatica",
    "i read that numbness is a red flag",
    "i heard sciatica can cause weakness",
    "my mum gets pins and needles",
    "my sister has sciatica",
    "he had numbness in his leg",
    "she wet herself after her back surgery",
    "someone told me to watch for numbness",
    "what should i do if my legs go weak",
    "suppose my foot goes numb",
    "what happens if i lose control of my bowels",
    "does a slipped disc cause foot drop",
    "what if the pain starts going down my leg",
    "should i be worried about sciatica",
    "i'm scared i might lose bladder control",
    "when should i worry about numbness",
    "is it an emergency if i wet myself",
    "what if i pee myself",
    "what would happen if my legs went numb",
    "can back pain make your legs weak",
    "do people with back spasms get tingling",
    "could i get sciatica from this",
    "say my legs went numb would that be bad",
    # durations that aren't about this spasm lasting
    "what if it lasts more than 12 hours",
    "should i call the doctor if it lasts more than a day",
    "how long is too long for a back spasm",
    "is it normal for a spasm to last two days",
    "will it last more than twelve hours",
    "can a spasm last for days",
    "use ice for the first two days",
    "take ibuprofen three times a day",
    "most people feel better in a few days",
    "remind me in 2 hours",
    "set a timer for 15 minutes",
    "how many days should i rest",
    "i pulled my back two years ago",
    "have a good night",
    "should i stay in bed for a day or two",
    "my back goes out twice a year",
    # nothing to do with red flags
    "my back hurts",
    "my lower back is in spasm",
    "my hamstrings are tight",
    "i have a calf cramp",
    "should i use heat or ice",
    "does ice numb the pain",
    "is a numbing cream ok",
    "i have a weak core",
    "these painkillers are too weak",
    "my back gave out when i bent over",
    "lie down with a pillow under your knees",
    "bend down and touch your toes",
    "i can control my bladder",
    "bowels fine bladder fine",
    "i'm in control of my bladder",
    "nope no numbness",
    "no no numbness",
    "zero numbness",
    "not a hint of numbness",
    "i had sciatica years ago",
    "my dad has foot drop",
    "i don't want to end up with sciatica",
    "how do you know if you have sciatica",
    "i'm scared of getting sciatica",
    "no bladder or bowel problems",
    "the pain stays in my back",
    "it doesn't radiate",
    "i've been to the loo fine",
    "i can wee normally",
    "i need to pee",
    "i can pee fine",
    "is wet heat better",
    "no",
    "",
    "um",
]


def _reports() -> list[tuple[str, str]]:
    return [(kind, text) for kind, texts in REPORTS.items() for text in texts]


@pytest.mark.parametrize(("kind", "text"), _reports())
def test_report_is_found(rules: SafetyRules, nlp: Language, kind: str, text: str) -> None:
    finding = check(rules, nlp, text)
    assert finding.is_report
    assert kind in finding.reported


@pytest.mark.parametrize("text", RECALL_TRAPS)
def test_recall_trap_is_a_report(rules: SafetyRules, nlp: Language, text: str) -> None:
    assert check(rules, nlp, text).is_report


@pytest.mark.parametrize("text", NOT_REPORTS)
def test_negated_or_hypothetical_is_not_a_report(
    rules: SafetyRules, nlp: Language, text: str
) -> None:
    finding = check(rules, nlp, text)
    assert not finding.is_report, finding


@pytest.mark.parametrize(("text", "reported", "dismissed"), MIXED)
def test_mixed_sentence(
    rules: SafetyRules, nlp: Language, text: str, reported: set[str], dismissed: set[str]
) -> None:
    finding = check(rules, nlp, text)
    assert set(finding.reported) == reported
    assert dismissed <= set(finding.dismissed)


@pytest.mark.parametrize(
    ("text", "dismissed"),
    [
        ("no numbness at all", "numbness"),
        ("what if my leg goes numb", "numbness"),
        ("haven't lost bladder control", "bladder"),
        ("my friend had sciatica", "radiating"),
        ("it hasn't been twelve hours", "over_12_hours"),
        ("can a spasm cause weakness", "weakness"),
        ("no pins and needles", "tingling"),
        ("i haven't pooed myself", "bowel"),
    ],
)
def test_dismissed_kinds_are_named(
    rules: SafetyRules, nlp: Language, text: str, dismissed: str
) -> None:
    finding = check(rules, nlp, text)
    assert finding.reported == ()
    assert finding.dismissed == (dismissed,)


def test_kinds_come_in_a_fixed_order(rules: SafetyRules, nlp: Language) -> None:
    finding = check(rules, nlp, "i wet myself and my leg is numb and it's been two days")
    assert finding.reported == ("numbness", "bladder", "over_12_hours")
    assert set(finding.reported) <= set(KINDS)


def test_punctuated_typed_text_works_too(rules: SafetyRules, nlp: Language) -> None:
    assert check(rules, nlp, "No numbness, but I've wet myself!").reported == ("bladder",)
    assert not check(rules, nlp, "No, it doesn't go down my leg.").is_report


def test_finding_without_reports_is_not_a_report() -> None:
    assert not SafetyFinding((), ("numbness",)).is_report
    assert SafetyFinding(("bowel",), ()).is_report
