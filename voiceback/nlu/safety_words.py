"""The safety rules' lexicon: word normalization, word classes and symptom patterns.

Patterns are written in a small notation over normalized words (see `lemmas`):
``a|b`` one of these words, ``@LEG`` a word class, ``x?`` optional, ``~3`` up to three
words inside the clause (no negation, no clause boundary), ``+6`` the same but may cross
"and", ``*6`` up to six words across clauses (still no negation). The kind "toilet"
is resolved by the rules to bowel or bladder.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from voiceback.nlu.slots import spoken_words


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _table(text: str) -> dict[str, list[str]]:
    """ "a: b c | d: e" -> {"a": ["b", "c"], "d": ["e"]}."""
    rows = (row.split(":") for row in text.split("|"))
    return {key.strip(): value.split() for key, value in rows}


def opener(spoken: list[str], start: int, end: int) -> int:
    """Where a clause's content starts, after "um", "so", "well", ..."""
    i = start
    while i < end - 1 and spoken[i] in FILLERS:
        i += 1
    return i


# --- normalization ---------------------------------------------------------------------

_INFLECTED = words(
    "leg toe thigh knee ankle heel shin hip bowel numb tingle weak prickle feel lose shoot "
    "radiate travel spread run go come send zap burn throb give buckle collapse drag slap trip "
    "stumble fall pee wee urinate poo poop hold control leak dribble wet soil mess dirty stop "
    "lift raise push stand walk move hurt pain ache start begin worry cause mean sign know tell "
    "take support work drop sensation keep get have develop flop spasm belong"
)
_IRREGULAR = _table(
    "foot: feet | calf: calves | buttock: bum bums butt butts bottom backside | "
    "numb: numbness numbish | weak: weakness weaker weakened weakening | "
    "tingle: tingly tinglies tingley | prickle: prickly | poo: poop poops pooped pooping | "
    "lose: lost loss | shoot: shot | run: ran | go: went gone | come: came | send: sent | "
    "burn: burnt | give: gave given | fall: fell fallen | hold: held | feel: felt | "
    "begin: began begun | know: knew | tell: told | take: took taken | stand: stood | "
    "keep: kept | get: got gotten | have: has had 've | urinate: urination"
)
_MERGES = {
    "pinsneedles": "pins and needles|pins n needles|pins an needles|pin and needles|"
    "pins and needle|pins needles|pins & needles",
    "daynight": "all night and all day|all day and all night|day and night|night and day|"
    "24/7|round the clock|around the clock",
    "ae": "a and e|a & e|a&e",
    "poo": "number two|number twos",
    "aswell": "as well",
}


def _inflections(base: str) -> set[str]:
    """Regular forms, generously: a wrong guess ("goed") is a word nobody says."""
    stem = base[:-1] if base.endswith("e") else base
    forms = {base + "s", base + "es", stem + "ed", base + "ing", stem + "ing"}
    forms |= {base + base[-1] + "ing", base + base[-1] + "ed", base + "ness"}
    if base.endswith("y"):
        forms |= {base[:-1] + "ied", base[:-1] + "ies"}
    return forms


_LEMMA = {form: base for base in _INFLECTED for form in _inflections(base)}
_LEMMA |= {form: base for base, forms in _IRREGULAR.items() for form in forms}
_PHRASES: dict[str, list[tuple[list[str], str]]] = {}
for _merged, _spoken in _MERGES.items():
    for _phrase in _spoken.split("|"):
        _PHRASES.setdefault(_phrase.split()[0], []).append((_phrase.split(), _merged))


def lemmas(doc: Doc) -> list[str]:
    """Spoken words, lemma-like ("legs" -> "leg", "peed" -> "pee"), phrases merged."""
    spoken = [_LEMMA.get(word, word) for word in spoken_words(doc)]
    merged: list[str] = []
    i = 0
    while i < len(spoken):
        phrase, word = next(
            ((p, w) for p, w in _PHRASES.get(spoken[i], ()) if spoken[i : i + len(p)] == p),
            ([spoken[i]], spoken[i]),
        )
        merged.append(word)
        i += len(phrase)
    return merged


# --- word classes ----------------------------------------------------------------------

NEG = words("not no never without nor neither none nothing zero")
SEPARATORS = words(
    "but and however except so yet then plus anyway although though because cos coz cuz "
    "otherwise whereas . , ; ! ? : ..."
)
BEFORE = words("if when whenever unless whether while until till what why how where who which")
NO_ANSWER = words("no nope nah")
ANSWER_NEXT = words(
    "my i it its there that this the well but actually sorry thanks thank we no not nope you "
    "just yeah yes ok okay"
)
FILLERS = words(
    "um uh er erm hmm so well ok okay oh like please hey just also actually right and but now "
    "then look listen sorry yeah yes no in"
)
QWORDS = words(
    "is are does do did can could would will should what how why when which who where whats "
    "was were has shall might may am"
)
FRAMING = words(
    "read hear heard tell say says said article google internet website online worry concerned "
    "scared afraid frightened nervous"
)
HYP_CUES = words("if whether case suppose supposing imagine unless hypothetically")
UNCERTAIN = words(
    "know sure tell wonder wondering idea clue certain unsure check see as like even notice ask"
)
MODALS = words("might may could")
EVENTS = words("get develop lose end start begin go become turn happen cause make give lead")
SUBJECTS = words("my i it its there im")
FUNCTION_WORDS = words(
    "of in on with from to down into through about feel lose have get move lift control wet "
    "hold not no never nor without if case whether that than can could will would should might "
    "may do does did be is are was were 's am say suppose imagine or what when go worry cause "
    "make give"
)
PERSONS = words(
    "friend husband wife partner boyfriend girlfriend mum mom mother dad father sister brother "
    "son daughter kid kids child children grandma granny nan nana grandad granddad grandpa "
    "grandmother grandfather aunt auntie uncle cousin colleague coworker neighbour neighbor "
    "boss mate patient patients man woman guy lady husbands friends colleagues"
)
THIRD = PERSONS | words(
    "he she him her his hers they them their someone somebody anyone anybody people person "
    "everyone yourself"
)
TOO = words("too also same aswell")
PRESENCE = words("still now currently again already keep constantly mine myself im")
NONPRESENCE = words(
    "read heard hear wonder wondering worry concerned scared afraid frightened want like asking "
    "ask curious nervous know"
)
NOT_ME = words("tell explain show give let worry")
IS_IT = words("is 's be could might may just")
ONGOING = words(
    "been since still lasted lasting start begin from ever nonstop constant constantly straight "
    "solid"
)
RECURRING = words("still now again currently today tonight since returned keep")
STAY = words("stay keep sit lie lying hold staying keeping sitting stand standing")
FINE = words("fine ok okay normal normally alright good working work")
FINE_GAP = words(
    "is are 's seem seems feel be bowel and bladder control both all still just perfectly totally"
)
COPULA = words("is are 's seem seems feel be")
BOWEL_WORDS = words("poo bowel soil mess dirty shit shat out")
CONTROL = words("control hold feel tell sense notice know stop empty")
LOSS = words("lose problem problems trouble issue issues change changes accident")
ABLE = words("can still in full good fine normal")
DOUBLE_GAP = words("have get walk stand move sit lie go even really can could")
NOT_WEAK = words(
    "core abs stomach tummy glutes posture painkiller painkillers pill pills tablet tablets dose "
    "coffee tea signal voice heat ibuprofen medicine back"
)

_CLASSES = {
    "LEGN": words(
        "leg foot toe thigh calf shin ankle knee heel buttock groin crotch saddle genitals genital "
        "private privates hip bits penis vagina testicles anus perineum"
    ),
    "LEGW": words("leg foot toe thigh calf ankle knee heel"),
    "LEGR": words("leg foot toe thigh calf shin ankle knee heel hamstring"),
    "RAD": words(
        "shoot radiate travel spread run go come send zap zing burn throb pain ache hurt "
        "sciatica electric shock lightning stab stabbing sting"
    ),
    "DIR": words("down into to through along towards toward"),
    "PEE": words("pee wee piss pissed urinate"),
    "PANTS": words(
        "myself yourself pants bed trousers knickers underwear sofa chair nappy themselves "
        "himself herself clothes jeans sheets bedding underpants shorts boxers pyjamas pajamas"
    ),
    "MESS": words("soil mess dirty shit shat"),
    "AWARE": words("know feel notice realise realize tell sense"),
    "NOT": words("not barely hardly scarcely"),
}
CUE_GAP = (
    words(
        "a an the any some all at really much real actually even ever yet very too so such quite "
        "particularly single slightest bit little hint trace sign symptom symptoms kind sort type "
        "of in on with from to down into through my your me i it its there 's is am are was were "
        "be been being have get do does did feel notice noticed experience experienced seem "
        "seems go become becomes became turn turns turned or nor either left right both whole "
        "lower upper pain ache sharp lose control problem problems issue issues trouble change "
        "changes more like suddenly also anything anywhere able start begin will would should "
        "could might may can one someone somebody you they their he she his her keep shooting "
        "want end up cause make give lead spasm back numb weak tingle pinsneedles prickle "
        "sciatica bladder bowel sensation strength power dead asleep incontinent incontinence "
        "shoot radiate"
    )
    | _CLASSES["LEGN"]
    | _CLASSES["LEGR"]
)
DURATION_GAP = CUE_GAP | words(
    "still bad severe after for more than over longer lasted lasts last lasting gone going on "
    "spasm yet even quite almost nearly about around only just maybe"
)

# Patterns by kind, separated by ";"; a line may go on below its kind.
_PATTERNS = """
numbness: numb ; @NOT feel ~3 @LEGN ; @NOT feel ~2 down there|below ; @NOT ~2 feel *4 wipe
          no|zero feel|sensation ; lose ~2 feel|sensation ; feel nothing ~2 @LEGN
          not have|get ~2 feel|sensation ; hardly|barely any? feel|sensation
          feel|sensation ~3 @LEGN ~2 go|disappear ; dead ~1 @LEGN ; dead feel|sensation
          @LEGN ~3 dead|asleep ; @LEGN ~2 not feel like mine|part|my ; @LEGN ~3 go to sleep
          anaesthesia|anesthesia ; @LEGN ~4 belong ~2 someone|somebody
weakness: weak ; paralysed|paralyzed|paralysis ; @LEGW ~3 give way|out
          @LEGW ~3 buckle|collapse|fold|jelly|floppy|heavy|drag|slap|flop
          buckle|jelly|floppy ~2 @LEGW
          @LEGW ~2 @NOT hold|support|take|bear|lift|raise|move|work
          @NOT lift|raise|push|stand|walk|move|wiggle|flex|point ~3 @LEGW ; no strength|power
          lose ~2 strength|power ; not have|get ~2 strength|power
          @LEGW ~3 no strength|power ; foot drop ; drop foot ; keep trip|stumble|fall
          trip|stumble ~3 @LEGW ; @LEGW ~2 go from under
          @LEGW ~2 not do|obey|respond|cooperate|listen
tingling: tingle ; pinsneedles ; prickle ; @LEGN ~3 fizzy|buzz|buzzing|fizz
radiating: sciatica|sciatic ; @RAD +6 @DIR ~4 @LEGR ; @LEGR ~3 all the way down
           shoot|radiate|zap|electric|lightning|shock|stab ~4 @LEGR
bladder: bladder|urinary|incontinent|incontinence ; wet ~2 @PANTS ; @PEE ~2 @PANTS
         @NOT hold|control ~2 @PEE|urine|water ; can|could|will @NOT @PEE
         not be|been able to @PEE ; unable to @PEE ; not @PEE ~2 all|since|for|today
         @NOT stop ~2 @PEE|dribble|leak ; leak ~2 urine|@PEE|myself ; am|keep leak ; dribble
         not ~2 @AWARE ~3 @PEE ; trouble|difficulty|hard|struggle|struggling|problem ~2 @PEE
toilet: @NOT @AWARE ~1 when|if ~4 need|go|full|come ; @NOT hold ~1 it ~1 in ; not stop myself
        @PEE|loo|toilet|bathroom|poo *6 not go ; accident ~3 @PANTS ; little accident
        can|could not go ~2 toilet|loo|bathroom ; lose ~1 control ~2 down there|below
        @NOT make it ~4 toilet|loo|bathroom|time ; @NOT feel myself go
bowel: bowel|faecal|fecal ; poo ~2 @PANTS ; @MESS ~2 @PANTS ; @NOT hold|control ~3 poo
       @NOT control ~1 when ~2 poo ; poo ~2 come out ; @NOT stop ~2 poo
"""


def _parse_patterns(text: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    kind = ""
    for line in text.strip().splitlines():
        if not line.startswith(" "):
            kind, line = line.split(":", 1)
        pairs += [(kind, spec.strip()) for spec in line.split(";") if spec.strip()]
    return pairs


PATTERNS = _parse_patterns(_PATTERNS)
"""(kind, pattern) pairs."""


def required_words(spec: str) -> list[frozenset[str]]:
    """For each word a pattern can't do without, the words that may fill it."""
    parts = spec.split()
    return [_alternatives(p) for p in parts if p[0] not in "~+*" and not p.endswith("?")]


def _alternatives(part: str) -> frozenset[str]:
    values: set[str] = set()
    for alt in part.rstrip("?").split("|"):
        values |= _CLASSES[alt[1:]] if alt.startswith("@") else {alt}
    return frozenset(values)


_WILDCARD_BANS = {
    "~": NEG | SEPARATORS | BEFORE,
    "+": NEG | BEFORE | (SEPARATORS - {"and"}),
    "*": NEG,
}


def compile_pattern(spec: str) -> list[dict[str, Any]]:
    """One pattern in the notation above -> a spaCy Matcher pattern on LOWER."""
    pattern: list[dict[str, Any]] = []
    for part in spec.split():
        if part[0] in _WILDCARD_BANS:
            banned = sorted(_WILDCARD_BANS[part[0]])
            pattern.append({"LOWER": {"NOT_IN": banned}, "OP": f"{{0,{part[1:]}}}"})
            continue
        values = _alternatives(part)
        token: dict[str, Any] = {"LOWER": {"IN": sorted(values)}}
        if len(values) == 1:
            token = {"LOWER": next(iter(values))}
        if part.endswith("?"):
            token["OP"] = "?"
        pattern.append(token)
    return pattern
