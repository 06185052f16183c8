"""The demo company: a seed-stage startup's sales team and a half-year of its CRM.

`demo_load()` builds the data every screenshot and later report runs on:
Sparrowhawk Software sells Sparrowhawk Dispatch (field-service scheduling, priced
per technician) to service companies in North America, Europe and Australia.
The data is deterministic: the same seed gives the same companies, people,
deals, amounts and touches, with dates placed relative to today so the Today
page and the quarter reports always have something current to show.

Everything it creates says `source="demo"` and the team logs in at
@demo.touchbase.local, which is how `demo_delete()` finds it again and leaves
everything else alone. Rows go in with bulk_create (a few thousand rows, a
handful of queries); the seven-touch counters are computed while generating.
"""

import operator
import random
import re
import time
import unicodedata
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone

from touchbase.accounts.models import Role, User
from touchbase.crm.models import (
    Company,
    CriterionCheck,
    Deal,
    Direction,
    Person,
    Source,
    Stage,
    StageChange,
    StageKind,
    Task,
    Touch,
    TouchKind,
)
from touchbase.crm.services import default_pipeline

SEED = 20250107
DEMO_EMAIL_DOMAIN = "demo.touchbase.local"
# Printed with the logins: a demo is meant to be opened by anyone who runs it.
DEMO_PASSWORD = "sparrowhawk-demo"
STARTUP = "Sparrowhawk Software"
PRODUCT = "Sparrowhawk Dispatch"
PRODUCT_PITCH = "field-service scheduling and dispatch, priced per technician"

COMPANIES = 200
PEOPLE = 600
DEALS = 60
TOUCHES = 3000
WON, LOST = 12, 9
HISTORY_DAYS = 182  # two quarters of touches
PRICE_PER_TECHNICIAN_USD = 540  # list price per technician per year
MINIMUM_DEAL_USD = 8_000  # the platform fee floor
MAX_FIRST_DEAL_SEATS = 220  # keeps a first deal under $120k ACV

# (key, email local part, first, last, role, title, time zone, regions they own)
TEAM = [
    ("admin", "admin", "Nora", "Castellanos", Role.ADMIN, "CEO and co-founder", "America/Chicago", ()),
    ("manager", "manager", "Marcus", "Hale", Role.MANAGER, "Head of Sales", "America/Chicago", ()),
    ("jordan", "jordan", "Jordan", "Pike", Role.SELLER, "Account Executive", "America/Chicago", ("na",)),
    ("priya", "priya", "Priya", "Raman", Role.SELLER, "Account Executive", "America/New_York", ("na", "apac")),
    ("leo", "leo", "Leo", "Okafor", Role.SELLER, "Account Executive, Europe", "Europe/London", ("eu",)),
]

# country: (weight, region, [(time zone, phone prefix, digits after it)], legal suffix, name pool)
COUNTRIES = {
    "US": (55, "na", [("America/New_York", "+121255501", 2), ("America/New_York", "+161755501", 2),
                      ("America/New_York", "+140455501", 2), ("America/Chicago", "+131255501", 2),
                      ("America/Chicago", "+121455501", 2), ("America/Chicago", "+151255501", 2),
                      ("America/Denver", "+130355501", 2), ("America/Phoenix", "+160255501", 2),
                      ("America/Los_Angeles", "+141555501", 2), ("America/Los_Angeles", "+120655501", 2)],
           "", "en"),
    "CA": (7, "na", [("America/Toronto", "+141655501", 2), ("America/Vancouver", "+160455501", 2)], "", "en"),
    "GB": (10, "eu", [("Europe/London", "+442079460", 3), ("Europe/London", "+441614960", 3)], "Ltd", "en"),
    "IE": (3, "eu", [("Europe/Dublin", "+3531", 7)], "Ltd", "en"),
    "DE": (8, "eu", [("Europe/Berlin", "+4930", 8), ("Europe/Berlin", "+4989", 8)], "GmbH", "de"),
    "NL": (5, "eu", [("Europe/Amsterdam", "+3120", 7)], "B.V.", "nl"),
    "FR": (4, "eu", [("Europe/Paris", "+331", 8)], "SAS", "fr"),
    "SE": (3, "eu", [("Europe/Stockholm", "+468", 7)], "AB", "sv"),
    "AU": (5, "apac", [("Australia/Sydney", "+6125550", 4), ("Australia/Melbourne", "+6135550", 4)],
           "Pty Ltd", "en"),
}

# industry: (name endings, share of employees who are technicians in the field)
INDUSTRIES = {
    "HVAC services": (["Heating & Air", "HVAC", "Climate Services", "Mechanical"], 0.6),
    "Facilities management": (["Facility Services", "Facilities Group", "Building Services"], 0.5),
    "Elevator maintenance": (["Elevator", "Lift Services"], 0.6),
    "Security systems": (["Security Systems", "Alarm & Security"], 0.45),
    "Solar installation": (["Solar", "Energy Solutions"], 0.5),
    "Home healthcare": (["Home Care", "Home Health"], 0.7),
    "Telecom installation": (["Fiber", "Telecom Services", "Networks"], 0.55),
    "Pest control": (["Pest Control", "Pest Solutions"], 0.6),
    "Plumbing": (["Plumbing", "Plumbing & Drain"], 0.65),
    "Fire protection": (["Fire Protection", "Fire & Safety"], 0.5),
    "Medical equipment service": (["Biomedical Services", "Medical Equipment Service"], 0.45),
    "Property management": (["Property Management", "Properties"], 0.25),
    "Landscaping": (["Landscaping", "Grounds Care"], 0.7),
    "Water utilities": (["Water Services", "Utilities"], 0.35),
}

NAME_STEMS = {
    "en": ["Northwind", "Bluebird", "Summit", "Keystone", "Redwood", "Ironclad", "Harbor", "Lakeshore",
           "Granite", "Pioneer", "Evergreen", "Silverline", "Cornerstone", "Brightwater", "Tri-County",
           "Metro", "Prairie", "Coastal", "Allied", "Beacon", "Cascade", "Crestview", "Frontier",
           "Heartland", "Liberty", "Meridian", "Oakridge", "Pinnacle", "Riverbend", "Sterling", "Sunbelt",
           "Trident", "Vanguard", "Westfield", "Bayside", "Blue Ridge", "Canyon", "Copperline", "Eastgate",
           "Foxhill", "Golden State", "Highland", "Ironwood", "Juniper", "Kingsway", "Lone Star", "Maple Leaf",
           "Northstar", "Old Town", "Pacific", "Quarry", "Red Rock", "Seaboard", "Tall Pines", "Union",
           "Valley", "Whitewater", "Windmill", "Yorkshire", "Thames", "Pennine", "Shamrock", "Liffey",
           "Outback", "Southern Cross"],
    "de": ["Hartmann", "Brückner", "Nordlicht", "Weber", "Rheinland", "Alpen", "Becker", "Elbtal",
           "Schwarzwald", "Krüger", "Spree", "Isar"],
    "nl": ["Vandermeer", "Van Dijk", "Polder", "Zuidkust", "De Vries", "Grachten", "Maasland"],
    "fr": ["Delacroix", "Moreau", "Rive Gauche", "Lumière", "Bertrand", "Provence"],
    "sv": ["Lindqvist", "Fjord", "Norrsken", "Sjöberg", "Vasa"],
}

FIRST_NAMES = {
    "en": ["James", "Maria", "Robert", "Aisha", "Michael", "Jennifer", "David", "Linda", "Carlos", "Emily",
           "Daniel", "Sarah", "Kevin", "Grace", "Brian", "Olivia", "Anthony", "Rachel", "Marcus", "Hannah",
           "Thomas", "Megan", "Luis", "Nicole", "Andre", "Lauren", "Wei", "Fatima", "Patrick", "Siobhan",
           "Derek", "Tanya", "Omar", "Chloe", "Ryan", "Jasmine", "Sean", "Monica", "Hiroshi", "Priyanka",
           "Gareth", "Fiona", "Tyrone", "Alicia", "Connor", "Mei", "Victor", "Brenda", "Samuel", "Kayla"],
    "de": ["Lukas", "Anna", "Jonas", "Lea", "Felix", "Sophie", "Maximilian", "Laura", "Tobias", "Katrin",
           "Stefan", "Julia", "Matthias", "Sabine"],
    "nl": ["Daan", "Sanne", "Bram", "Lotte", "Thijs", "Femke", "Joost", "Marieke", "Ruben", "Eva"],
    "fr": ["Julien", "Camille", "Antoine", "Chloé", "Mathieu", "Élodie", "Nicolas", "Claire", "Hugo", "Inès"],
    "sv": ["Erik", "Astrid", "Johan", "Elin", "Oskar", "Maja", "Anders", "Karin", "Nils", "Ingrid"],
}

LAST_NAMES = {
    "en": ["Smith", "Johnson", "Garcia", "Williams", "Brown", "Nguyen", "Patel", "Miller", "Davis", "Rodriguez",
           "Martinez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Lee", "Harris", "Clark",
           "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Lopez", "Hill", "Scott", "Green", "Adams",
           "Baker", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Torres",
           "Murphy", "O'Brien", "Kelly", "Chen", "Kim", "Okafor", "Singh", "Hughes", "Murray", "Fraser"],
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
           "Koch", "Richter", "Klein", "Wolf", "Neumann"],
    "nl": ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder",
           "Bos"],
    "fr": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"],
    "sv": ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
           "Svensson", "Gustafsson"],
}

# Titles by seniority, from the people who sign to the people who run dispatch every day.
TITLES = [
    (12, ["CEO", "COO", "CFO", "CTO", "President", "Owner"]),
    (20, ["VP Operations", "VP Field Service", "VP Finance", "VP Customer Service", "General Manager"]),
    (30, ["Director of Operations", "Director of Field Service", "IT Director", "Service Director",
          "Regional Director"]),
    (38, ["Operations Manager", "Dispatch Manager", "Service Manager", "Fleet Manager", "Office Manager",
          "Scheduling Lead", "Branch Manager"]),
]

LOST_REASONS = [
    "Chose a competitor on price",
    "Stayed with their current spreadsheet process",
    "No budget this year",
    "Champion left the company",
    "Re-org froze new software purchases",
    "Needed an ERP integration we don't have yet",
    "Went dark after the demo",
    "Built it in-house on their ERP",
    "Too early: fewer technicians than they planned",
]

NEXT_STEPS = {
    0: ["Book the discovery call", "Confirm who owns dispatch", "Send the two-minute video", "Call the COO"],
    1: ["Get the number of technicians per depot", "Intro to the dispatch manager", "Confirm budget owner",
        "Share the ROI sheet"],
    2: ["Demo for the dispatch team", "Sandbox with their real job list", "Agree success criteria in writing",
        "Demo for the regional directors"],
    3: ["Send the proposal", "Walk the CFO through pricing", "Answer the security questionnaire",
        "Reference call with a customer"],
    4: ["Settle the redlines on the order form", "Confirm signer and date", "Procurement call",
        "Send the countersigned order form"],
}

OUTCOMES = {
    (TouchKind.EMAIL, Direction.OUT): [("No reply yet", 50), ("Replied", 20), ("Opened, no reply", 20),
                                       ("Out of office", 6), ("Bounced", 4)],
    (TouchKind.EMAIL, Direction.IN): [("Answered", 60), ("Meeting booked", 25), ("Needs an answer", 15)],
    (TouchKind.CALL, Direction.OUT): [("No answer", 35), ("Left a voicemail", 30),
                                      ("Connected: call back next week", 15), ("Connected: meeting booked", 12),
                                      ("Gatekeeper, no transfer", 8)],
    (TouchKind.CALL, Direction.IN): [("Answered their questions", 60), ("Meeting booked", 40)],
    (TouchKind.MEETING, Direction.OUT): [("Held, next step agreed", 65), ("Held", 20),
                                         ("No-show, rescheduled", 15)],
    (TouchKind.MEETING, Direction.IN): [("Held, next step agreed", 70), ("Held", 30)],
    (TouchKind.SOCIAL, Direction.OUT): [("Connection accepted", 40), ("No response", 45), ("Replied", 15)],
    (TouchKind.SOCIAL, Direction.IN): [("Replied", 100)],
    (TouchKind.NOTE, Direction.OUT): [("", 100)],
}

SUMMARIES = {
    (TouchKind.EMAIL, Direction.OUT): [
        "Intro: how {company} could cut drive time between jobs with {product}",
        "Follow-up on my note about scheduling {techs} technicians",
        "Shared the case study from a {industry} company of a similar size",
        "Resent my first email with a one-line summary on top",
        "Sent the ROI sheet: {techs} technicians, one more job per technician per week",
        "Asked who owns field scheduling at {company}",
        "Sent pricing for {techs} technicians",
        "Short note: does the summer peak still mean overtime for your crews?",
        "Thanked {first} for the call and recapped the three pains we heard",
    ],
    (TouchKind.EMAIL, Direction.IN): [
        "{first} replied: interested, asked for a 20-minute call",
        "{first} asked whether {product} works with their accounting system",
        "{first} forwarded my email to their COO",
        "{first}: not now, check back next quarter",
        "{first} asked for our security questionnaire answers",
        "{first} asked for references in {industry}",
        "{first} asked how long onboarding {techs} technicians takes",
    ],
    (TouchKind.CALL, Direction.OUT): [
        "Cold call to {first}: dispatch runs on a whiteboard and spreadsheets",
        "Called {first} about my follow-up email",
        "Call with {first}: {techs} technicians, peak season in summer",
        "Called the main line to find who runs dispatch",
        "Checked in with {first} on the open questions from the demo",
    ],
    (TouchKind.CALL, Direction.IN): [
        "{first} called back after my voicemail",
        "{first} called with questions about per-technician pricing",
        "{first} called: their scheduler quit, they want to move faster",
    ],
    (TouchKind.MEETING, Direction.OUT): [
        "Discovery meeting with {first}: overtime comes from bad routing",
        "Demo for {first} and two dispatchers",
        "Pricing review with {first}",
        "Site visit at the {company} depot",
        "Rollout planning with {first}",
    ],
    (TouchKind.MEETING, Direction.IN): [
        "{first} asked for a demo for their regional managers",
        "Met {first} at the {industry} trade show booth",
    ],
    (TouchKind.SOCIAL, Direction.OUT): [
        "Connected with {first} on LinkedIn",
        "Commented on {first}'s post about hiring technicians",
        "Sent {first} a LinkedIn message about route planning",
    ],
    (TouchKind.SOCIAL, Direction.IN): [
        "{first} answered my LinkedIn message",
        "{first} shared our post on dispatch overtime",
    ],
    (TouchKind.NOTE, Direction.OUT): [
        "Research: about {techs} technicians, paper job sheets",
        "{first} said budgets are set in October",
        "{first} reports to the COO; the CFO signs anything over $50k",
        "Their current tool's contract renews in the spring",
    ],
}

# kind, direction, weight: an outbound-heavy mix, as for a young team prospecting.
TOUCH_MIX = [
    (TouchKind.EMAIL, Direction.OUT, 42), (TouchKind.EMAIL, Direction.IN, 12),
    (TouchKind.CALL, Direction.OUT, 17), (TouchKind.CALL, Direction.IN, 3),
    (TouchKind.MEETING, Direction.OUT, 6), (TouchKind.MEETING, Direction.IN, 1),
    (TouchKind.SOCIAL, Direction.OUT, 8), (TouchKind.SOCIAL, Direction.IN, 2),
    (TouchKind.NOTE, Direction.OUT, 9),
]

# days a deal stays in each open stage, by the stage's position in the pipeline
DWELL_DAYS = [(2, 10), (4, 18), (3, 14), (5, 21), (4, 20)]

TASKS_DUE_TODAY = 3
TASKS_OVERDUE = 3
TASKS_UPCOMING = 5
TASKS_DONE = 6


class DemoError(Exception):
    """The demo cannot load here; the message says why and what to do."""


@dataclass
class DemoSummary:
    startup: str
    product: str
    password: str
    address: str
    users: list[User]
    counts: dict[str, int]
    deals_by_stage: list[tuple[str, int]]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def demo_users():
    return User.objects.filter(email__iendswith="@" + DEMO_EMAIL_DOMAIN)


def demo_exists() -> bool:
    return Company.objects.filter(source=Source.DEMO).exists() or demo_users().exists()


def ensure_tables() -> None:
    """Fail with what to do when the database has not been migrated yet."""
    needed = {model._meta.db_table for model in (User, Company, Person, Deal, Stage, Touch, Task)}
    missing = needed - set(connection.introspection.table_names())
    if missing:
        raise DemoError(f"The database has no touchbase tables yet ({', '.join(sorted(missing))} missing): "
                        "run `touchbase migrate` first.")


def demo_delete() -> dict[str, int]:
    """Remove the demo records (source demo) and the demo team; nothing else.

    A record someone created on top of the demo (a deal on a demo company) keeps
    its company from being deleted; then nothing is deleted and DemoError says which.
    """
    demo_deals = Deal.objects.filter(source=Source.DEMO)
    steps = (
        ("tasks", Task.objects.filter(source=Source.DEMO)),
        ("touches", Touch.objects.filter(source=Source.DEMO)),
        ("stage changes", StageChange.objects.filter(deal__in=demo_deals)),
        ("criterion checks", CriterionCheck.objects.filter(deal__in=demo_deals)),
        ("deals", demo_deals),
        ("people", Person.objects.filter(source=Source.DEMO)),
        ("companies", Company.objects.filter(source=Source.DEMO)),
        ("users", demo_users()),
    )
    deleted = {}
    try:
        with transaction.atomic():
            for name, queryset in steps:
                deleted[name] = queryset.delete()[1].get(queryset.model._meta.label, 0)
    except ProtectedError as exc:
        blockers = sorted({f"{obj._meta.verbose_name} {obj!s:.60}" for obj in exc.protected_objects})
        raise DemoError(f"The demo data cannot be removed: {len(blockers)} record(s) not from the demo point at it "
                        f"({'; '.join(blockers[:5])}). Delete them or move them off demo records first; "
                        "nothing was deleted.") from exc
    return deleted


def demo_load(*, seed: int = SEED, now: datetime | None = None) -> DemoSummary:
    """Create the demo team and its CRM data in one transaction."""
    started = time.perf_counter()
    ensure_tables()
    try:
        pipeline = default_pipeline()
    except ValidationError as exc:
        raise DemoError(f"{' '.join(exc.messages)} The demo needs the default pipeline (migration crm 0002 creates it).") from exc
    stages = list(pipeline.stages.prefetch_related("exit_criteria").order_by("order"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next((s for s in stages if s.kind == StageKind.WON), None)
    lost = next((s for s in stages if s.kind == StageKind.LOST), None)
    if not open_stages or won is None or lost is None:
        raise DemoError(f"The {pipeline} pipeline needs open stages, a won stage and a lost stage for the demo.")
    with transaction.atomic():
        builder = _Builder(random.Random(seed), now or timezone.now(), open_stages, won, lost)
        summary = builder.build()
        _score_leads(builder.users["manager"])
    summary.seconds = time.perf_counter() - started
    return summary


# Sparrowhawk's own ideal customer, so the Leads page opens on real A, B and C tiers.
DEMO_FRAMEWORK = [
    {"key": "industry", "label": "Runs field technicians", "kind": "in_set", "field": "industry",
     "values": ["HVAC services", "Elevator maintenance", "Fire protection", "Security systems", "Pest control",
                "Plumbing", "Home healthcare", "Medical equipment service"], "points": 30},
    {"key": "size", "label": "100 to 2,000 employees", "kind": "in_range", "field": "employee_count",
     "min": 100, "max": 2000, "points": 25},
    {"key": "country", "label": "A country we sell in", "kind": "in_set", "field": "country",
     "values": ["US", "CA", "GB", "IE", "AU"], "points": 15},
    {"key": "senior_contact", "label": "We know an operations leader", "kind": "title_words",
     "words": ["ceo", "coo", "vp", "head of", "director", "general manager"], "points": 20},
    {"key": "measured", "label": "Willing to be measured", "kind": "answer_yes", "field": "willing_to_be_measured",
     "points": 10},
]


def _score_leads(manager) -> None:
    from touchbase.prospecting.services import companies_rescore, framework_save

    framework, moves = framework_save(actor=manager, criteria=DEMO_FRAMEWORK, tier_a_min=70, tier_b_min=45,
                                      note="Sparrowhawk's ideal customer (demo)")
    if not moves.moves:  # the framework was already in force (a --reset): score the new companies
        companies_rescore(framework=framework)


@dataclass
class _Account:
    company: Company
    region: str
    lang: str
    legal: str
    technicians: int
    created_days_ago: int
    people: list = field(default_factory=list)


@dataclass
class _Contact:
    person: Person
    account: _Account
    weight: float


class _Builder:
    """Generates the whole data set in memory, then writes it table by table."""

    def __init__(self, rng: random.Random, now: datetime, open_stages: list[Stage], won: Stage, lost: Stage):
        self.rng = rng
        self.now = now
        self.open_stages = open_stages
        self.won = won
        self.lost = lost
        self.zones: dict[str, zoneinfo.ZoneInfo] = {}
        self.touches: list[Touch] = []
        self.stage_changes: list[StageChange] = []
        self.checks: list[CriterionCheck] = []
        self.tasks: list[Task] = []
        self.deals: list[Deal] = []

    def zone(self, name: str) -> zoneinfo.ZoneInfo:
        if name not in self.zones:
            self.zones[name] = zoneinfo.ZoneInfo(name)
        return self.zones[name]

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def workday_at(self, days_ago: float, tz: str) -> datetime:
        """A moment `days_ago` days back, moved off the weekend, in office hours of zone `tz`."""
        zone = self.zone(tz)
        day = self.now.astimezone(zone).date() - timedelta(days=int(days_ago))
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        moment = datetime.combine(day, clock(self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45))),
                                  tzinfo=zone)
        return min(moment.astimezone(UTC), self.now - timedelta(minutes=5))

    def local_today(self, tz: str) -> date:
        return self.now.astimezone(self.zone(tz)).date()

    # -- the team -----------------------------------------------------------

    def make_team(self) -> None:
        # One hash for the shared demo password: hashing is deliberately slow, and
        # five identical slow hashes would be most of the demo's load time.
        password = make_password(DEMO_PASSWORD)
        users = []
        for _key, local, first, last, role, _title, tz, _regions in TEAM:
            users.append(User(email=f"{local}@{DEMO_EMAIL_DOMAIN}", username=f"{local}@{DEMO_EMAIL_DOMAIN}",
                              first_name=first, last_name=last, role=role, time_zone=tz, password=password,
                              is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN))
        User.objects.bulk_create(users)
        self.users = {row[0]: user for row, user in zip(TEAM, users, strict=True)}
        self.sellers = {key: self.users[key] for key, *_rest in TEAM if self.users[key].role == Role.SELLER}
        self.sellers_by_region = defaultdict(list)
        for key, *_rest, regions in TEAM:
            for region in regions:
                self.sellers_by_region[region].append(self.users[key])

    # -- companies and people -------------------------------------------------

    def make_accounts(self) -> None:
        countries = list(COUNTRIES)
        weights = [COUNTRIES[c][0] for c in countries]
        industries = list(INDUSTRIES)
        names: set[str] = set()
        self.accounts: list[_Account] = []
        while len(self.accounts) < COMPANIES:
            country = self.rng.choices(countries, weights=weights)[0]
            _w, region, _phones, legal, lang = COUNTRIES[country]
            industry = self.rng.choice(industries)
            endings, field_share = INDUSTRIES[industry]
            stem_lang = lang if lang in NAME_STEMS and self.rng.random() < 0.7 else "en"
            base = f"{self.rng.choice(NAME_STEMS[stem_lang])} {self.rng.choice(endings)}"
            if base in names:
                continue
            names.add(base)
            employees = self.weighted([((20, 49), 25), ((50, 199), 40), ((200, 999), 25), ((1000, 4000), 10)])
            employees = self.rng.randint(*employees)
            domain = f"{_slug(base)}.example"
            company = Company(
                name=f"{base} {legal}".strip(), domain=domain, website=f"https://www.{domain}", industry=industry,
                employee_count=employees, country=country, owner=self.rng.choice(self.sellers_by_region[region]),
                source=Source.DEMO,
            )
            technicians = max(5, round(employees * field_share * self.rng.uniform(0.7, 1.1)))
            created = self.rng.randint(14, 420) if self.rng.random() < 0.2 else self.rng.randint(HISTORY_DAYS, 420)
            self.accounts.append(_Account(company, region, lang, legal, technicians, created))

    def make_people(self) -> None:
        seats = [1] * COMPANIES
        sizes = [a.company.employee_count ** 0.5 for a in self.accounts]
        for index in self.rng.choices(range(COMPANIES), weights=sizes, k=PEOPLE - COMPANIES):
            seats[index] += 1
        self.contacts: list[_Contact] = []
        for account, count in zip(self.accounts, seats, strict=True):
            country = account.company.country
            lang = account.lang if account.lang in FIRST_NAMES else "en"
            tz, phone_prefix, digits = self.rng.choice(COUNTRIES[country][2])
            emails = set()
            for position in range(count):
                first = self.rng.choice(FIRST_NAMES[lang])
                last = self.rng.choice(LAST_NAMES[lang])
                # Half the accounts have their signer on file: the person a seller calls first.
                if position == 0 and self.rng.random() < 0.5:
                    level = 0
                else:
                    level = self.weighted([(i, weight) for i, (weight, _titles) in enumerate(TITLES)])
                local = f"{_slug(first, sep='')}.{_slug(last, sep='')}"
                while f"{local}@{account.company.domain}" in emails:
                    local += str(self.rng.randint(1, 9))
                emails.add(f"{local}@{account.company.domain}")
                person = Person(
                    first_name=first, last_name=last, email=f"{local}@{account.company.domain}",
                    phone=phone_prefix + "".join(str(self.rng.randint(0, 9)) for _ in range(digits)),
                    title=self.rng.choice(TITLES[level][1]), company=account.company, owner=account.company.owner,
                    time_zone=tz, opted_out=self.rng.random() < 0.02, source=Source.DEMO,
                )
                contact = _Contact(person, account, weight=self.rng.paretovariate(1.6))
                account.people.append(contact)
                self.contacts.append(contact)

    # -- deals and their history -------------------------------------------------

    def make_deals(self) -> None:
        open_count = DEALS - WON - LOST
        n = len(self.open_stages)
        raw = [open_count * (n + 2 - i) / sum(n + 2 - j for j in range(n)) for i in range(n)]
        per_stage = [int(x) for x in raw]
        for i in sorted(range(n), key=lambda i: raw[i] - per_stage[i], reverse=True)[: open_count - sum(per_stage)]:
            per_stage[i] += 1
        plan = [("open", i) for i, count in enumerate(per_stage) for _ in range(count)]
        plan += [("won", n)] * WON
        plan += [("lost", self.weighted([(i, n + 1 - i) for i in range(n)])) for _ in range(LOST)]
        self.rng.shuffle(plan)
        sizes = [a.technicians ** 0.5 for a in self.accounts]
        chosen: list[_Account] = []
        while len(chosen) < DEALS:
            account = self.rng.choices(self.accounts, weights=sizes)[0]
            if account not in chosen:
                chosen.append(account)
        for (outcome, reached), account in zip(plan, chosen, strict=True):
            self.make_deal(account, outcome, reached)

    def make_deal(self, account: _Account, outcome: str, reached: int) -> None:
        rng = self.rng
        owner = account.company.owner
        tz = owner.time_zone
        passed = self.open_stages[:reached] if outcome != "lost" else self.open_stages[: reached + 1]
        dwell = [rng.randint(*DWELL_DAYS[min(i, len(DWELL_DAYS) - 1)]) for i in range(len(passed))]
        if outcome == "open":
            dwell.append(rng.randint(1, 24))  # time in the current stage so far
            end_days_ago = 0
        else:
            # Closed inside the two quarters, and opened inside them too, so the whole
            # deal (and its touches) sits in the window the reports look at.
            end_days_ago = rng.randint(2, max(2, HISTORY_DAYS - 3 - sum(dwell)))
        start_days_ago = end_days_ago + sum(dwell)
        account.created_days_ago = max(account.created_days_ago, start_days_ago + rng.randint(7, 45))

        path = list(self.open_stages[: len(passed) + (1 if outcome == "open" else 0)])
        if outcome == "won":
            path.append(self.won)
        elif outcome == "lost":
            path.append(self.lost)
        moments, days_ago = [], start_days_ago
        for i in range(len(path)):
            moments.append(self.workday_at(days_ago, tz))
            if i < len(dwell):
                days_ago -= dwell[i]
        for i in range(1, len(moments)):
            # Weekends fold back onto Fridays, so two changes can land on the same moment.
            if moments[i] <= moments[i - 1]:
                moments[i] = moments[i - 1] + timedelta(hours=2)

        seats = max(5, round(account.technicians * rng.uniform(0.6, 1.0)))
        scope = f"dispatch for {seats} technicians"
        if seats > MAX_FIRST_DEAL_SEATS:
            # Big accounts start with one region; the rest is the upsell.
            seats = rng.randint(MAX_FIRST_DEAL_SEATS // 2, MAX_FIRST_DEAL_SEATS)
            scope = f"first region, {seats} technicians"
        amount_usd = max(MINIMUM_DEAL_USD, seats * PRICE_PER_TECHNICIAN_USD * rng.uniform(0.85, 1.0))
        amount_usd = int(round(amount_usd / 500) * 500)
        contact = min(account.people, key=lambda c: _seniority(c.person.title)).person
        stage = path[-1]
        short = account.company.name.removesuffix(account.legal).strip()
        deal = Deal(
            company=account.company, contact=contact, title=f"{short}: {scope}",
            amount_minor=amount_usd * 100, currency="USD", pipeline_id=stage.pipeline_id, stage=stage,
            stage_entered_at=moments[-1], owner=owner, version=len(path), source=Source.DEMO,
            closed_at=moments[-1] if outcome != "open" else None,
            lost_reason=rng.choice(LOST_REASONS) if outcome == "lost" else "",
        )
        if outcome == "open":
            remaining = sum(rng.randint(*DWELL_DAYS[min(i, len(DWELL_DAYS) - 1)])
                            for i in range(reached, len(self.open_stages)))
            slip = -rng.randint(3, 20) if rng.random() < 0.1 else 0  # a few deals slipped past their date
            deal.expected_close = self.local_today(tz) + timedelta(days=max(remaining, 7) + slip)
            if rng.random() < 0.9:
                deal.next_step = rng.choice(NEXT_STEPS[min(reached, max(NEXT_STEPS))])
        else:
            deal.expected_close = moments[-1].astimezone(self.zone(tz)).date()
        deal.created = moments[0]
        deal.touched = moments[-1]
        self.deals.append(deal)

        for i, (to_stage, at) in enumerate(zip(path, moments, strict=True)):
            from_stage = path[i - 1] if i else None
            override = ""
            if from_stage is not None and from_stage.kind == StageKind.OPEN:
                criteria = list(from_stage.exit_criteria.all())
                if to_stage.kind == StageKind.LOST:
                    criteria = criteria[: rng.randint(0, len(criteria))]
                elif rng.random() < 0.08:
                    override = "Customer asked to skip ahead; criteria to follow"
                    criteria = criteria[:1]
                for criterion in criteria:
                    self.checks.append(CriterionCheck(deal=deal, criterion=criterion, checked_by=owner,
                                                      checked_at=at - timedelta(hours=rng.randint(1, 48))))
            self.stage_changes.append(StageChange(
                deal=deal, from_stage=from_stage, to_stage=to_stage, changed_at=at, changed_by=owner,
                seconds_in_from=int((at - moments[i - 1]).total_seconds()) if i else None,
                override_reason=override,
            ))
        if outcome == "open":
            current = list(stage.exit_criteria.all())
            for criterion in current[: rng.randint(0, len(current))]:
                self.checks.append(CriterionCheck(deal=deal, criterion=criterion, checked_by=owner,
                                                  checked_at=moments[-1] + timedelta(hours=rng.randint(1, 20))))

        # The deal's own timeline: a touch around each stage change, and the emails between.
        people = [c.person for c in account.people]
        for at in moments:
            self.touch(rng.choice(people), account, at_moment=at - timedelta(hours=rng.randint(1, 30)),
                       deal=deal, kind=TouchKind.MEETING)
        for _ in range(rng.randint(4, 10) + 2 * len(passed)):
            span = max(1, (start_days_ago - end_days_ago))
            days = end_days_ago + rng.uniform(0, span) + 1
            kind, direction = self.touch_kind()
            self.touch(rng.choice(people), account, days_ago=days, deal=deal, kind=kind, direction=direction)

    # -- touches ----------------------------------------------------------------

    def touch_kind(self):
        kind, direction, _w = self.rng.choices(TOUCH_MIX, weights=[m[2] for m in TOUCH_MIX])[0]
        return kind, direction

    def touch(self, person: Person, account: _Account, *, days_ago: float | None = None,
              at_moment: datetime | None = None, deal: Deal | None = None, kind=TouchKind.EMAIL,
              direction=Direction.OUT, company_only: bool = False) -> None:
        rng = self.rng
        at = at_moment or self.workday_at(days_ago, person.time_zone or account.company.owner.time_zone)
        at = min(at, self.now - timedelta(minutes=5))
        words = {"first": person.first_name, "company": account.company.name, "product": PRODUCT,
                 "industry": account.company.industry.lower(), "techs": account.technicians}
        summary = rng.choice(SUMMARIES[(kind, direction)]).format(**words)
        outcome = self.weighted(OUTCOMES[(kind, direction)])
        self.touches.append(Touch(
            kind=kind, direction=direction, happened_at=at, person=None if company_only else person,
            company=account.company, deal=deal, by=account.company.owner, summary=summary, outcome=outcome,
            source=Source.DEMO,
        ))

    def make_prospecting_touches(self) -> None:
        """Fill up to TOUCHES with outreach to people, heavier on the engaged ones."""
        contacts = self.contacts
        weights = [c.weight for c in contacts]
        while len(self.touches) < TOUCHES:
            contact = self.rng.choices(contacts, weights=weights)[0]
            window = min(HISTORY_DAYS, contact.account.created_days_ago)
            kind, direction = self.touch_kind()
            self.touch(contact.person, contact.account, days_ago=self.rng.uniform(1, window), kind=kind,
                       direction=direction, company_only=kind == TouchKind.NOTE and self.rng.random() < 0.3)

    # -- tasks ------------------------------------------------------------------

    def make_tasks(self) -> None:
        rng = self.rng
        open_deals = defaultdict(list)
        for deal in self.deals:
            if deal.closed_at is None:
                open_deals[deal.owner_id].append(deal)
        contacts_by_owner = defaultdict(list)
        for contact in self.contacts:
            contacts_by_owner[contact.person.owner_id].append(contact)
        plan = [(0, TASKS_DUE_TODAY, False), (None, TASKS_OVERDUE, False), (1, TASKS_UPCOMING, False),
                (-1, TASKS_DONE, True)]
        for seller in self.sellers.values():
            today = self.local_today(seller.time_zone)
            for when, count, done in plan:
                for _ in range(count):
                    offset = {0: 0, None: -rng.randint(1, 9), 1: rng.randint(1, 14), -1: -rng.randint(1, 40)}[when]
                    if open_deals[seller.pk] and rng.random() < 0.5:
                        deal = rng.choice(open_deals[seller.pk])
                        if deal.next_step:
                            title = f"{deal.next_step} ({deal.company.name})"
                        else:
                            title = f"Agree a next step with {deal.company.name}"
                        task = Task(title=title, deal=deal, company=deal.company, person=deal.contact)
                    else:
                        contact = rng.choice(contacts_by_owner[seller.pk])
                        person = contact.person
                        title = rng.choice([
                            "Call {name} at {company}", "Follow up with {name} after the intro email",
                            "Send {name} the {industry} case study", "Ask {name} who runs dispatch",
                            "Check in with {name}: quiet for two weeks", "Book a discovery call with {name}",
                        ]).format(name=person.name, company=contact.account.company.name,
                                  industry=contact.account.company.industry.lower())
                        task = Task(title=title, person=person, company=contact.account.company)
                    task.owner = seller
                    task.due = today + timedelta(days=offset)
                    task.done = done
                    task.done_at = self.workday_at(-offset, seller.time_zone) if done else None
                    task.source = Source.DEMO
                    task.created = self.workday_at(max(1, -offset + rng.randint(1, 7)), seller.time_zone)
                    self.tasks.append(task)
        manager = self.users["manager"]
        today = self.local_today(manager.time_zone)
        for title, offset in (("Weekly pipeline review with the team", 0), ("Approve the discount request", -1)):
            task = Task(title=title, owner=manager, due=today + timedelta(days=offset),
                        company=self.deals[0].company, source=Source.DEMO)
            task.created = self.workday_at(3, manager.time_zone)
            self.tasks.append(task)

    # -- writing ----------------------------------------------------------------

    def count_touches(self) -> None:
        """The seven-touch counters, as touch_log would have kept them."""
        for touch in self.touches:
            for record in (touch.person, touch.company):
                if record is None:
                    continue
                record.touch_count += 1
                if record.last_touch_at is None or touch.happened_at > record.last_touch_at:
                    record.last_touch_at = touch.happened_at

    def backdate(self, model, records, created, updated=None) -> None:
        """created_at/updated_at are auto fields that bulk_create stamps with now; put history back."""
        for record in records:
            record.created_at = created(record)
            record.updated_at = max(record.created_at, (updated(record) if updated else None) or record.created_at)
        model.objects.bulk_update(records, ["created_at", "updated_at"], batch_size=500)

    def build(self) -> DemoSummary:
        self.make_team()
        self.make_accounts()
        self.make_people()
        self.make_deals()
        self.make_prospecting_touches()
        self.make_tasks()
        self.count_touches()

        companies = [a.company for a in self.accounts]
        people = [c.person for c in self.contacts]
        Company.objects.bulk_create(companies, batch_size=500)
        Person.objects.bulk_create(people, batch_size=500)
        Deal.objects.bulk_create(self.deals, batch_size=500)
        StageChange.objects.bulk_create(self.stage_changes, batch_size=500)
        CriterionCheck.objects.bulk_create(self.checks, batch_size=500)
        Touch.objects.bulk_create(self.touches, batch_size=500)
        Task.objects.bulk_create(self.tasks, batch_size=500)

        created_days = {a.company.pk: a.created_days_ago for a in self.accounts}
        last_touch = operator.attrgetter("last_touch_at")
        self.backdate(Company, companies, lambda c: self.now - timedelta(days=created_days[c.pk]), last_touch)
        self.backdate(Person, people,
                      lambda p: self.now - timedelta(days=created_days[p.company_id], hours=self.rng.randint(0, 72)),
                      last_touch)
        self.backdate(Deal, self.deals, lambda d: d.created, lambda d: d.touched)
        self.backdate(Task, self.tasks, lambda t: t.created)
        for check in self.checks:
            check.checked_at = min(check.checked_at, self.now)
        CriterionCheck.objects.bulk_update(self.checks, ["checked_at"], batch_size=500)
        Touch.objects.filter(source=Source.DEMO).update(created_at=F("happened_at"), updated_at=F("happened_at"))

        by_stage = [(s.name, sum(1 for d in self.deals if d.stage == s))
                    for s in [*self.open_stages, self.won, self.lost]]
        return DemoSummary(
            startup=STARTUP, product=PRODUCT, password=DEMO_PASSWORD, address=settings.TOUCHBASE_URL,
            users=list(self.users.values()),
            counts={"companies": len(companies), "people": len(people), "deals": len(self.deals),
                    "stage changes": len(self.stage_changes), "touches": len(self.touches),
                    "tasks": len(self.tasks)},
            deals_by_stage=by_stage,
        )


def _seniority(title: str) -> int:
    for level, (_w, titles) in enumerate(TITLES):
        if title in titles:
            return level
    return len(TITLES)


def _slug(text: str, sep: str = "-") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", sep, ascii_text.replace("&", " and ")).strip(sep)

