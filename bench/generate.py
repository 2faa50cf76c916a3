"""A large, realistic and reproducible data set for the benchmark.

Everything comes from one seeded random generator, so that two runs with the same
scale and seed write the same rows. On PostgreSQL the rows go in with COPY (psycopg 3's
cursor.copy), an order of magnitude faster than INSERTs; on any other database (the
tests' SQLite) they go through bulk_create, so that the same code is tested there.

The rows bypass the models' save() (no history rows, no webhooks): they are made valid
by construction, and tests/bench/test_generate.py checks a sample with full_clean().
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max

from accounts.models import User
from agreements.choices import SIGNED_STATUSES, AgreementKind, AgreementStatus, Renewal
from agreements.models import Agreement
from contacts.choices import OrganizationKind
from contacts.models import Organization, Person, Post
from core.folding import name_key
from core.regions import region_of
from core.sectors import SectorCode
from followups.choices import FollowUpStatus
from followups.models import FollowUp
from missions.choices import LeaderRank, MissionKind, MissionStatus
from missions.models import Meeting, Mission
from missions.services import rebuild_engagements
from projects.choices import (
    FigureKind,
    ParticipantRole,
    ProjectStatus,
    Scheme,
    Stage,
    WatchListOutcome,
)
from projects.models import (
    OrderFigure,
    Project,
    ProjectParticipant,
    WatchList,
    WatchListEntry,
)

SEED = 8
UTC = datetime.UTC
# A fixed "now", so that the data do not depend on the day they are generated.
NOW = datetime.datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
FIRST_DAY = datetime.date(2010, 1, 1)
LAST_DAY = datetime.date(2026, 3, 31)
PLANNED_AFTER = datetime.date(2025, 9, 1)


@dataclass(frozen=True)
class Scale:
    missions: int = 20_000
    meetings: int = 1_000_000
    projects: int = 100_000
    agreements: int = 20_000
    followups: int = 200_000

    @property
    def people(self) -> int:
        return max(60, self.meetings // 50)

    @property
    def organizations(self) -> int:
        return max(40, self.meetings // 200)

    @property
    def officials(self) -> int:
        """MLIT officials who lead missions and sign agreements."""
        return max(5, min(200, self.missions // 100))

    @property
    def watch_list_size(self) -> int:
        return max(5, self.projects // 100)


FULL = Scale()


def scaled(share: float) -> Scale:
    """A share of the full data set (`python -m bench --scale 0.02`)."""
    if share >= 1:
        return FULL
    return Scale(
        missions=max(50, round(FULL.missions * share)),
        meetings=max(500, round(FULL.meetings * share)),
        projects=max(100, round(FULL.projects * share)),
        agreements=max(50, round(FULL.agreements * share)),
        followups=max(100, round(FULL.followups * share)),
    )


# Counterpart countries, how often the bureau deals with each, and their main cities.
COUNTRIES: dict[str, tuple[int, list[str]]] = {
    "VN": (10, ["Hanoi", "Ho Chi Minh City", "Da Nang"]),
    "ID": (9, ["Jakarta", "Surabaya", "Bandung"]),
    "TH": (8, ["Bangkok", "Chiang Mai"]),
    "PH": (8, ["Manila", "Cebu", "Davao"]),
    "MY": (5, ["Kuala Lumpur", "Johor Bahru"]),
    "MM": (5, ["Yangon", "Naypyidaw", "Mandalay"]),
    "KH": (4, ["Phnom Penh", "Sihanoukville"]),
    "LA": (3, ["Vientiane"]),
    "SG": (3, ["Singapore"]),
    "BN": (1, ["Bandar Seri Begawan"]),
    "TL": (1, ["Dili"]),
    "IN": (9, ["New Delhi", "Mumbai", "Chennai", "Ahmedabad"]),
    "BD": (4, ["Dhaka", "Chittagong"]),
    "LK": (3, ["Colombo"]),
    "PK": (2, ["Islamabad", "Karachi"]),
    "NP": (1, ["Kathmandu"]),
    "MN": (3, ["Ulaanbaatar"]),
    "KR": (2, ["Seoul", "Busan"]),
    "CN": (2, ["Beijing", "Shanghai"]),
    "TW": (1, ["Taipei"]),
    "RU": (3, ["Moscow", "Vladivostok"]),
    "UZ": (2, ["Tashkent", "Samarkand"]),
    "KZ": (2, ["Astana", "Almaty"]),
    "TR": (3, ["Ankara", "Istanbul"]),
    "SA": (2, ["Riyadh", "Jeddah"]),
    "AE": (2, ["Abu Dhabi", "Dubai"]),
    "QA": (1, ["Doha"]),
    "EG": (3, ["Cairo", "Alexandria"]),
    "KE": (3, ["Nairobi", "Mombasa"]),
    "TZ": (2, ["Dodoma", "Dar es Salaam"]),
    "GH": (2, ["Accra", "Kumasi"]),
    "TN": (1, ["Tunis"]),
    "MA": (2, ["Rabat", "Casablanca"]),
    "NG": (2, ["Abuja", "Lagos"]),
    "ZA": (2, ["Pretoria", "Johannesburg"]),
    "MZ": (2, ["Maputo", "Nacala"]),
    "CI": (1, ["Abidjan"]),
    "UG": (1, ["Kampala"]),
    "ET": (1, ["Addis Ababa"]),
    "US": (4, ["Washington, D.C.", "New York", "Houston"]),
    "CA": (1, ["Ottawa", "Vancouver"]),
    "BR": (2, ["Brasília", "São Paulo"]),
    "MX": (2, ["Mexico City", "Monterrey"]),
    "PE": (1, ["Lima"]),
    "CL": (1, ["Santiago"]),
    "CO": (1, ["Bogotá"]),
    "GB": (3, ["London", "Manchester"]),
    "FR": (2, ["Paris"]),
    "DE": (1, ["Berlin"]),
    "IT": (1, ["Rome"]),
    "ES": (1, ["Madrid"]),
    "PL": (1, ["Warsaw"]),
    "AU": (3, ["Canberra", "Sydney", "Melbourne"]),
    "NZ": (1, ["Wellington"]),
    "PG": (1, ["Port Moresby"]),
    "FJ": (1, ["Suva"]),
}
CODES = list(COUNTRIES)
WEIGHTS = [COUNTRIES[code][0] for code in CODES]
BY_REGION: dict[str, list[str]] = defaultdict(list)
for _code in CODES:
    BY_REGION[region_of(_code).value].append(_code)

SECTORS = [code.value for code in SectorCode]
SECTOR_WORDS = {
    "railway": ("Metro Line", "都市鉄道"),
    "road": ("Expressway", "高速道路"),
    "port": ("Port Terminal", "港湾ターミナル"),
    "airport": ("International Airport Terminal", "国際空港ターミナル"),
    "water": ("River Basin Flood Control", "河川流域治水"),
    "sewerage": ("Wastewater Treatment Plant", "下水処理場"),
    "urban_development": ("New Town Development", "ニュータウン開発"),
    "disaster_prevention": ("Early Warning System", "早期警報システム"),
    "smart_city": ("Smart City", "スマートシティ"),
    "logistics": ("Logistics Park", "物流パーク"),
    "other": ("Infrastructure Programme", "インフラ整備"),
}
MINISTRIES = [
    ("Ministry of Transport", "運輸省"),
    ("Ministry of Public Works", "公共事業省"),
    ("Ministry of Construction", "建設省"),
    ("Ministry of Planning and Investment", "計画投資省"),
    ("Ministry of Finance", "財務省"),
    ("Ministry of Urban Development", "都市開発省"),
    ("Ministry of Water Resources", "水資源省"),
    ("National Railway Authority", "国鉄公社"),
    ("Port Authority", "港湾公社"),
    ("Civil Aviation Authority", "民間航空局"),
    ("Highway Authority", "道路公社"),
    ("Disaster Management Agency", "防災庁"),
]
TITLES = [
    ("Minister", "大臣"),
    ("Vice Minister", "副大臣"),
    ("Deputy Minister", "次官"),
    ("Director General", "局長"),
    ("Chairman", "総裁"),
    ("Governor", "知事"),
]
GIVEN = [
    "Anh",
    "Budi",
    "Chai",
    "Dara",
    "Ema",
    "Farid",
    "Grace",
    "Hana",
    "Ivan",
    "Joko",
    "Kamal",
    "Lina",
    "Minh",
    "Nadia",
    "Omar",
    "Priya",
    "Quang",
    "Rosa",
    "Sami",
    "Tuan",
    "Uma",
    "Vikram",
    "Wei",
    "Xavier",
    "Yusuf",
    "Zara",
    "Amara",
    "Bao",
    "Carlos",
    "Dina",
]
FAMILY = [
    "Nguyen",
    "Santoso",
    "Wongsa",
    "Reyes",
    "Rahman",
    "Tan",
    "Kumar",
    "Haddad",
    "Okafor",
    "Mensah",
    "Silva",
    "Garcia",
    "Ivanov",
    "Smith",
    "Martin",
    "Rossi",
    "Kowalski",
    "Brown",
    "Lee",
    "Chen",
    "Park",
    "Ali",
    "Khan",
    "Perera",
    "Sok",
    "Phan",
    "Lim",
    "Osei",
    "Mwangi",
    "Dubois",
]
JAPANESE_FAMILY = [
    ("Sato", "佐藤"),
    ("Suzuki", "鈴木"),
    ("Takahashi", "高橋"),
    ("Tanaka", "田中"),
    ("Ito", "伊藤"),
    ("Watanabe", "渡辺"),
    ("Yamamoto", "山本"),
    ("Nakamura", "中村"),
    ("Kobayashi", "小林"),
    ("Kato", "加藤"),
]
JAPANESE_GIVEN = [
    ("Hiroshi", "博"),
    ("Takeshi", "健"),
    ("Keiko", "恵子"),
    ("Yuko", "裕子"),
    ("Kenji", "健二"),
    ("Akira", "明"),
    ("Naoko", "直子"),
    ("Satoshi", "聡"),
]
JAPANESE_BODIES = [
    ("Japan International Cooperation Agency", "国際協力機構", "japanese_public_body"),
    (
        "Japan Overseas Infrastructure Investment Corporation",
        "海外交通・都市開発事業支援機構",
        "japanese_public_body",
    ),
    ("Japan Bank for International Cooperation", "国際協力銀行", "japanese_public_body"),
    ("Nippon Export and Investment Insurance", "日本貿易保険", "japanese_public_body"),
    (
        "Japan Railway Construction, Transport and Technology Agency",
        "鉄道建設・運輸施設整備支援機構",
        "japanese_public_body",
    ),
    ("Urban Renaissance Agency", "都市再生機構", "japanese_public_body"),
]
OUTCOMES = [
    "Agreed to set up a joint working group.",
    "Requested Japan's support for the feasibility study.",
    "Confirmed the schedule of the tender.",
    "Welcomed the participation of Japanese companies.",
    "Agreed to hold a public-private infrastructure seminar.",
    "Discussed the financing by a yen loan.",
    "Invited the minister to visit Japan.",
]
FOLLOWUP_TITLES = [
    "Send the technical proposal",
    "Arrange the site visit",
    "Share the draft memorandum",
    "Follow up on the tender schedule",
    "Prepare the briefing for the minister",
    "Reply to the request for information",
]


def _day(rng: random.Random, start=FIRST_DAY, end=LAST_DAY) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _stamps(rng: random.Random, day: datetime.date):
    created = datetime.datetime(day.year, day.month, day.day, tzinfo=UTC) + datetime.timedelta(
        seconds=rng.randrange(86_400), microseconds=rng.randrange(1_000_000)
    )
    created = min(created, NOW)
    updated = min(created + datetime.timedelta(seconds=rng.randrange(400 * 86_400)), NOW)
    return created, updated


class Writer:
    """Rows in, as tuples of attribute values: COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self):
        self.copy = connection.vendor == "postgresql"
        self.counts: Counter = Counter()

    def write(self, model, attnames: list[str], rows):
        if self.copy:
            # A column the data set does not choose (a classification, a blank Japanese
            # name) takes the model's default, as bulk_create gives it ("" for a text
            # without one): COPY would write NULL.
            defaulted = [
                field
                for field in model._meta.concrete_fields
                if field.attname not in attnames
                and not field.null
                and (field.has_default() or field.empty_strings_allowed)
                and not field.primary_key
            ]
            if defaulted:
                attnames = [*attnames, *(field.attname for field in defaulted)]
                defaults = tuple(field.get_default() for field in defaulted)
                rows = (tuple(row) + defaults for row in rows)
            columns = ", ".join(
                connection.ops.quote_name(model._meta.get_field(name).column)
                if not name.endswith("_id")
                else connection.ops.quote_name(name)
                for name in attnames
            )
            table = connection.ops.quote_name(model._meta.db_table)
            written = 0
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
            model._default_manager.bulk_create(objects, batch_size=500)
            written = len(objects)
        self.counts[model._meta.label] += written
        return written


class RecordingWriter(Writer):
    """Keeps the rows instead of writing them (to compare two runs)."""

    def __init__(self):
        super().__init__()
        self.copy = False
        self.rows: dict[str, list[tuple]] = {}

    def write(self, model, attnames, rows):
        self.rows[model._meta.label] = list(rows)
        self.counts[model._meta.label] += len(self.rows[model._meta.label])
        return len(self.rows[model._meta.label])


def _next_id(model) -> int:
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def generate(scale: Scale = FULL, *, seed: int = SEED, log=None, writer=None) -> Counter:
    """Write the data set; returns the number of rows written per model."""
    log = log or (lambda message: None)
    rng = random.Random(seed)
    writer = writer or Writer()
    started = time.monotonic()

    def step(message):
        log(f"  {time.monotonic() - started:6.1f}s  {message}")

    with transaction.atomic():
        users = _users(rng, writer)
        orgs = _organizations(rng, writer, scale)
        step("organisations")
        people = _people(rng, writer, scale, orgs)
        step("people and posts")
        projects = _projects(rng, writer, scale, orgs)
        step("projects")
        _watch_lists(rng, writer, scale, projects)
        _order_figures(writer)
        missions = _missions(rng, writer, scale, people, orgs)
        step("missions")
        meetings = _meetings(rng, writer, scale, missions, people, orgs, projects)
        # The meetings went in without save(), so without their engagements.
        rebuild_engagements()
        step("meetings and their engagements")
        agreements = _agreements(rng, writer, scale, people, orgs, projects, meetings)
        step("agreements")
        _followups(rng, writer, scale, users, missions, meetings, agreements, projects)
        step("follow-ups")
        if writer.copy:
            _reset_sequences()
    return writer.counts


def _users(rng, writer) -> list[int]:
    first = _next_id(User)
    rows = []
    for index in range(30):
        family, _ = JAPANESE_FAMILY[index % len(JAPANESE_FAMILY)]
        given, _ = JAPANESE_GIVEN[index % len(JAPANESE_GIVEN)]
        rows.append(
            (
                first + index,
                f"bench-{first + index}",
                given,
                family,
                f"bench-{first + index}@example.org",
                "!",  # no usable password
                "ja",
                True,
                True,
                False,
                NOW,
            )
        )
    attnames = [
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "password",
        "language",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
    ]
    writer.write(User, attnames, rows)
    return [row[0] for row in rows]


@dataclass
class Orgs:
    mlit: int
    by_country: dict[str, list[int]]  # foreign government bodies
    companies_by_country: dict[str, list[int]]  # foreign companies
    japanese: list[int]  # companies and public bodies (delegations, winners)


def _organizations(rng, writer, scale: Scale) -> Orgs:
    next_id = _next_id(Organization)
    rows = []

    def add(name, name_ja, kind, country):
        nonlocal next_id
        created, updated = _stamps(rng, _day(rng, FIRST_DAY, datetime.date(2012, 12, 31)))
        rows.append(
            (next_id, name, name_key(name), name_ja, kind, country, "", "", created, updated)
        )
        next_id += 1
        return next_id - 1

    mlit = add(
        settings.MLIT_ORGANIZATION_NAME, "国土交通省", OrganizationKind.JAPANESE_GOVERNMENT, "JP"
    )
    japanese = [add(name, name_ja, kind, "JP") for name, name_ja, kind in JAPANESE_BODIES]
    foreign_total = max(len(CODES), scale.organizations - 200)
    company_count = max(4, min(200, scale.organizations // 25))
    for index in range(company_count):
        japanese.append(
            add(
                f"Nippon Infrastructure {index + 1} Corporation",
                f"日本インフラ{index + 1}株式会社",
                OrganizationKind.JAPANESE_COMPANY,
                "JP",
            )
        )
    by_country, companies = defaultdict(list), defaultdict(list)
    total_weight = sum(WEIGHTS)
    for code in CODES:
        share = max(2, foreign_total * COUNTRIES[code][0] // total_weight)
        for index in range(share):
            if index % 4 == 3:
                companies[code].append(
                    add(
                        f"{FAMILY[index % len(FAMILY)]} Engineering {index}",
                        "",
                        OrganizationKind.FOREIGN_COMPANY,
                        code,
                    )
                )
                continue
            name, name_ja = MINISTRIES[index % len(MINISTRIES)]
            suffix = f" (Office {index // len(MINISTRIES)})" if index >= len(MINISTRIES) else ""
            by_country[code].append(
                add(
                    f"{name}{suffix}",
                    f"{name_ja}{suffix}",
                    OrganizationKind.FOREIGN_GOVERNMENT,
                    code,
                )
            )
    attnames = [
        "id",
        "name",
        "name_key",
        "name_ja",
        "kind",
        "country",
        "website",
        "notes",
        "created_at",
        "updated_at",
    ]
    writer.write(Organization, attnames, rows)
    return Orgs(mlit, dict(by_country), dict(companies), japanese)


@dataclass
class People:
    officials: list[int]
    by_country: dict[str, list[int]]


def _people(rng, writer, scale: Scale, orgs: Orgs) -> People:
    next_id = _next_id(Person)
    people, posts = [], []
    officials = []
    for index in range(scale.officials):
        family, family_ja = JAPANESE_FAMILY[index % len(JAPANESE_FAMILY)]
        given, given_ja = JAPANESE_GIVEN[(index // len(JAPANESE_FAMILY)) % len(JAPANESE_GIVEN)]
        created, updated = _stamps(rng, _day(rng, FIRST_DAY, datetime.date(2012, 12, 31)))
        people.append(
            (next_id, f"{given} {family}", f"{family_ja}{given_ja}", "", "", "", created, updated)
        )
        officials.append(next_id)
        start = _day(rng, datetime.date(2005, 1, 1), datetime.date(2015, 12, 31))
        posts.append(
            (next_id, orgs.mlit, "Director General", "局長", start, None, created, updated)
        )
        next_id += 1
    by_country = defaultdict(list)
    foreign = scale.people - scale.officials
    total_weight = sum(WEIGHTS)
    for code in CODES:
        for _ in range(max(3, foreign * COUNTRIES[code][0] // total_weight)):
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            created, updated = _stamps(rng, _day(rng, FIRST_DAY, datetime.date(2015, 12, 31)))
            people.append((next_id, name, "", "", "", "", created, updated))
            by_country[code].append(next_id)
            # Earlier post, ended; then the current one (the minister of today).
            first_start = _day(rng, datetime.date(2000, 1, 1), datetime.date(2012, 12, 31))
            change = _day(rng, datetime.date(2013, 1, 1), datetime.date(2020, 12, 31))
            for start, end in ((first_start, change), (change + datetime.timedelta(days=1), None)):
                title, title_ja = rng.choice(TITLES)
                posts.append(
                    (
                        next_id,
                        rng.choice(orgs.by_country[code]),
                        title,
                        title_ja,
                        start,
                        end,
                        created,
                        updated,
                    )
                )
            next_id += 1
    writer.write(
        Person,
        ["id", "name", "name_ja", "email", "phone", "notes", "created_at", "updated_at"],
        people,
    )
    writer.write(
        Post,
        [
            "person_id",
            "organization_id",
            "title",
            "title_ja",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ],
        posts,
    )
    return People(officials, dict(by_country))


@dataclass
class Projects:
    by_country: dict[str, list[int]]
    country_of: dict[int, str]
    awarded: set[int]  # those that record whom they were awarded to


PROJECT_STATUSES = [
    (ProjectStatus.ACTIVE, 50),
    (ProjectStatus.WON_JAPANESE, 10),
    (ProjectStatus.WON_FOREIGN, 8),
    (ProjectStatus.DROPPED, 10),
    (ProjectStatus.ON_HOLD, 12),
    (ProjectStatus.COMPLETED, 10),
]


def _projects(rng, writer, scale: Scale, orgs: Orgs) -> Projects:
    next_id = _next_id(Project)
    statuses = [status.value for status, _ in PROJECT_STATUSES]
    status_weights = [weight for _, weight in PROJECT_STATUSES]
    stages = [stage.value for stage in Stage]
    schemes = [scheme.value for scheme in Scheme] + [""]
    roles = [role.value for role in ParticipantRole]
    rows, participants = [], []
    by_country, country_of, awarded = defaultdict(list), {}, set()
    for _ in range(scale.projects):
        code = rng.choices(CODES, WEIGHTS)[0]
        sector = rng.choice(SECTORS)
        city = rng.choice(COUNTRIES[code][1])
        words, words_ja = SECTOR_WORDS[sector]
        phase = rng.randrange(1, 6)
        status = rng.choices(statuses, status_weights)[0]
        awarded_on = awarded_to = None
        if status in (ProjectStatus.WON_JAPANESE, ProjectStatus.WON_FOREIGN):
            awarded_on = _day(rng, datetime.date(2011, 1, 1), datetime.date(2025, 12, 31))
            awarded_to = (
                rng.choice(orgs.japanese[len(JAPANESE_BODIES) :])
                if status == ProjectStatus.WON_JAPANESE
                else rng.choice(orgs.companies_by_country.get(code) or [None])
            )
        other = ""
        if rng.random() < 0.03:
            neighbours = [c for c in BY_REGION[region_of(code).value] if c != code]
            other = ",".join(sorted(rng.sample(neighbours, min(len(neighbours), 2))))
        created, updated = _stamps(rng, _day(rng, FIRST_DAY, datetime.date(2025, 12, 31)))
        rows.append(
            (
                next_id,
                f"{city} {words} Phase {phase}",
                f"{city}{words_ja}第{phase}期",
                code,
                other,
                sector,
                rng.choice(stages),
                status,
                rng.choice(schemes),
                f"{words} in {city}, phase {phase}.",
                rng.randrange(1, 3000) * 100_000_000 if rng.random() < 0.8 else None,
                rng.choice(orgs.by_country[code]) if rng.random() < 0.9 else None,
                _day(rng, datetime.date(2012, 1, 1)) if rng.random() < 0.3 else None,
                awarded_on,
                awarded_to,
                created,
                updated,
            )
        )
        for organization_id, role in {
            (rng.choice(orgs.japanese), rng.choice(roles)) for _ in range(rng.randrange(0, 4))
        }:
            participants.append((next_id, organization_id, role, created, updated))
        by_country[code].append(next_id)
        country_of[next_id] = code
        if awarded_to is not None:
            awarded.add(next_id)
        next_id += 1
    writer.write(
        Project,
        [
            "id",
            "name",
            "name_ja",
            "country",
            "other_countries",
            "sector",
            "stage",
            "status",
            "scheme",
            "description",
            "estimated_cost_jpy",
            "owner_id",
            "tender_due_on",
            "awarded_on",
            "awarded_to_id",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    writer.write(
        ProjectParticipant,
        ["project_id", "organization_id", "role", "created_at", "updated_at"],
        sorted(participants),
    )
    return Projects(dict(by_country), country_of, awarded)


WATCH_OUTCOMES = [
    (WatchListOutcome.CONTINUED, 78),
    (WatchListOutcome.WON_JAPANESE, 12),
    (WatchListOutcome.WON_FOREIGN, 2),
    (WatchListOutcome.REMOVED, 8),
]


def _watch_lists(rng, writer, scale: Scale, projects: Projects):
    next_id = _next_id(WatchList)
    years = list(range(2014, 2025))
    lists, entries = [], []
    all_projects = list(projects.country_of)
    size = min(scale.watch_list_size, len(all_projects))
    outcomes = [outcome.value for outcome, _ in WATCH_OUTCOMES]
    outcome_weights = [weight for _, weight in WATCH_OUTCOMES]
    current = rng.sample(all_projects, size)
    previous_id = None
    for position, year in enumerate(years):
        list_id = next_id + position
        stamp = datetime.datetime(year, 6, 1, tzinfo=UTC)
        lists.append(
            (
                list_id,
                f"Action Plan {year}",
                year,
                datetime.date(year, 6, 1),
                previous_id,
                stamp,
                stamp,
            )
        )
        last = position == len(years) - 1
        kept = []
        for project_id in current:
            outcome = reason = ""
            if not last:
                outcome = rng.choices(outcomes, outcome_weights)[0]
                if outcome == WatchListOutcome.WON_FOREIGN and project_id not in projects.awarded:
                    # Won by a foreign firm needs the winner (domain.md).
                    outcome = WatchListOutcome.REMOVED
                if outcome == WatchListOutcome.REMOVED:
                    reason = "Dropped by the counterpart government."
                if outcome == WatchListOutcome.CONTINUED:
                    kept.append(project_id)
            region = region_of(projects.country_of[project_id]).value
            entries.append((list_id, project_id, region, outcome, reason, stamp, stamp))
        # Added: none of this edition's (a project recorded as won or removed is not
        # listed again).
        taken = set(current)
        added = [
            p for p in rng.sample(all_projects, min(len(all_projects), 3 * size)) if p not in taken
        ]
        current = kept + added[: size - len(kept)]
        previous_id = list_id
    writer.write(
        WatchList,
        ["id", "name", "edition_year", "published_on", "previous_id", "created_at", "updated_at"],
        lists,
    )
    writer.write(
        WatchListEntry,
        [
            "watch_list_id",
            "project_id",
            "region",
            "outcome_at_next_edition",
            "reason",
            "created_at",
            "updated_at",
        ],
        entries,
    )


def _order_figures(writer):
    rows = []
    for year in range(2010, 2025):
        amount = (10 + (year - 2010) * 13 // 7) * 10**12
        rows.append((year, amount, FigureKind.ACTUAL.value, "Synthetic (benchmark)", NOW, NOW))
    for year, amount in ((2020, 30 * 10**12), (2025, 34 * 10**12)):
        rows.append((year, amount, FigureKind.TARGET.value, "Synthetic (benchmark)", NOW, NOW))
    writer.write(
        OrderFigure, ["year", "amount_jpy", "kind", "source", "created_at", "updated_at"], rows
    )


RANKS = [
    (LeaderRank.MINISTER, 15),
    (LeaderRank.STATE_MINISTER, 20),
    (LeaderRank.PARLIAMENTARY_VICE_MINISTER, 25),
    (LeaderRank.SENIOR_OFFICIAL, 30),
    (LeaderRank.OTHER, 10),
]
KINDS = [
    (MissionKind.OVERSEAS_VISIT, 45),
    (MissionKind.PUBLIC_PRIVATE_MISSION, 25),
    (MissionKind.HOSTED_MEETING, 15),
    (MissionKind.CONFERENCE, 10),
    (MissionKind.ONLINE, 5),
]


@dataclass
class MissionPlan:
    id: int
    start: datetime.date
    days: int
    kind: str
    countries: list[str]
    leader_id: int  # the principal of its meetings
    leader_rank: str


def _missions(rng, writer, scale: Scale, people: People, orgs: Orgs) -> list[MissionPlan]:
    next_id = _next_id(Mission)
    ranks = [rank.value for rank, _ in RANKS]
    rank_weights = [weight for _, weight in RANKS]
    kinds = [kind.value for kind, _ in KINDS]
    kind_weights = [weight for _, weight in KINDS]
    rows, sectors, delegations, plans = [], [], [], []
    for _ in range(scale.missions):
        first = rng.choices(CODES, WEIGHTS)[0]
        neighbours = [c for c in BY_REGION[region_of(first).value] if c != first]
        countries = [first, *rng.sample(neighbours, min(len(neighbours), rng.randrange(0, 4)))]
        start = _day(rng)
        days = rng.randrange(1, 8)
        end = start + datetime.timedelta(days=days - 1)
        status = MissionStatus.PLANNED if start >= PLANNED_AFTER else MissionStatus.COMPLETED
        if rng.random() < 0.04:
            status = MissionStatus.CANCELLED
        kind = rng.choices(kinds, kind_weights)[0]
        rank = rng.choices(ranks, rank_weights)[0]
        names = "・".join(countries)
        created, updated = _stamps(rng, start - datetime.timedelta(days=30))
        leader_id = rng.choice(people.officials)
        rows.append(
            (
                next_id,
                f"{rank.replace('_', ' ').capitalize()} mission to {', '.join(countries)} ({start:%B %Y})",
                f"{names}訪問（{start.year}年{start.month}月）",
                leader_id,
                rank,
                kind,
                start,
                end,
                status.value if hasattr(status, "value") else status,
                "Promote Japanese infrastructure technology.",
                "",
                created,
                updated,
            )
        )
        for code in rng.sample(SECTORS, rng.randrange(1, 4)):
            sectors.append((next_id, code))
        for organization_id in rng.sample(
            orgs.japanese, min(len(orgs.japanese), rng.randrange(0, 4))
        ):
            delegations.append((next_id, organization_id))
        plans.append(MissionPlan(next_id, start, days, kind, countries, leader_id, rank))
        next_id += 1
    writer.write(
        Mission,
        [
            "id",
            "title",
            "title_ja",
            "leader_id",
            "leader_rank",
            "kind",
            "start_date",
            "end_date",
            "status",
            "purpose",
            "summary",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    writer.write(Mission.sectors.through, ["mission_id", "sector_id"], sectors)
    writer.write(Mission.delegation.through, ["mission_id", "organization_id"], delegations)
    return plans


def _meetings(rng, writer, scale: Scale, missions, people: People, orgs: Orgs, projects):
    """Meetings spread over the missions (at least one each), with their counterparts,
    organisations and projects promoted. Returns (meeting id, date) pairs by country."""
    extra = Counter(
        rng.choices(
            range(len(missions)),
            [rng.expovariate(1.0) for _ in missions],
            k=max(0, scale.meetings - len(missions)),
        )
    )
    next_id = _next_id(Meeting)
    counterparts, organizations, promoted = [], [], []
    by_country = defaultdict(list)

    def rows():
        nonlocal next_id
        for index, plan in enumerate(missions):
            for _ in range(1 + extra[index]):
                code = rng.choice(plan.countries)
                day = plan.start + datetime.timedelta(days=rng.randrange(plan.days))
                if plan.kind == MissionKind.HOSTED_MEETING:
                    venue_city, venue_country = "Tokyo", "JP"
                elif plan.kind == MissionKind.ONLINE:
                    venue_city, venue_country = "", ""
                else:
                    venue_city, venue_country = rng.choice(COUNTRIES[code][1]), code
                country_projects = projects.by_country.get(code, [])
                chosen = rng.sample(
                    country_projects, min(len(country_projects), rng.randrange(0, 3))
                )
                sector_words = (
                    SECTOR_WORDS[rng.choice(SECTORS)][0] if not chosen else "projects promoted"
                )
                created, updated = _stamps(rng, day)
                yield (
                    next_id,
                    plan.id,
                    plan.leader_id,
                    plan.leader_rank,
                    day,
                    code,
                    venue_city,
                    venue_country,
                    f"Cooperation on {sector_words}; quality infrastructure.",
                    rng.choice(OUTCOMES),
                    created,
                    updated,
                )
                for person_id in rng.sample(people.by_country[code], rng.randrange(1, 4)):
                    counterparts.append((next_id, person_id))
                for organization_id in rng.sample(orgs.by_country[code], rng.randrange(1, 3)):
                    organizations.append((next_id, organization_id))
                for project_id in chosen:
                    promoted.append((next_id, project_id))
                by_country[code].append((next_id, day))
                next_id += 1

    writer.write(
        Meeting,
        [
            "id",
            "mission_id",
            "principal_id",
            "principal_rank",
            "date",
            "counterpart_country",
            "venue_city",
            "venue_country",
            "topics",
            "outcome",
            "created_at",
            "updated_at",
        ],
        rows(),
    )
    writer.write(Meeting.counterparts.through, ["meeting_id", "person_id"], counterparts)
    writer.write(
        Meeting.counterpart_organizations.through, ["meeting_id", "organization_id"], organizations
    )
    writer.write(Meeting.projects.through, ["meeting_id", "project_id"], promoted)
    return dict(by_country)


AGREEMENT_STATUSES = [
    (AgreementStatus.PROPOSED, 5),
    (AgreementStatus.NEGOTIATING, 7),
    (AgreementStatus.SIGNED, 10),
    (AgreementStatus.IN_FORCE, 50),
    (AgreementStatus.EXPIRED, 15),
    (AgreementStatus.TERMINATED, 5),
    (AgreementStatus.SUPERSEDED, 8),
]
AGREEMENT_KINDS = [
    (AgreementKind.MOC, 60),
    (AgreementKind.MOU, 20),
    (AgreementKind.LOI, 5),
    (AgreementKind.JOINT_STATEMENT, 8),
    (AgreementKind.AGREEMENT, 4),
    (AgreementKind.OTHER, 3),
]


def _agreements(rng, writer, scale: Scale, people, orgs: Orgs, projects, meetings) -> list[int]:
    next_id = _next_id(Agreement)
    statuses = [status.value for status, _ in AGREEMENT_STATUSES]
    status_weights = [weight for _, weight in AGREEMENT_STATUSES]
    kinds = [kind.value for kind, _ in AGREEMENT_KINDS]
    kind_weights = [weight for _, weight in AGREEMENT_KINDS]
    renewals = [renewal.value for renewal in Renewal]
    signed = {status.value for status in SIGNED_STATUSES}
    rows, organizations, sectors, linked = [], [], [], []
    to_supersede = defaultdict(list)  # country -> superseded agreements not yet superseded
    for _ in range(scale.agreements):
        code = rng.choices(CODES, WEIGHTS)[0]
        status = rng.choices(statuses, status_weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        signed_on = effective_on = expires_on = None
        country_meetings = meetings.get(code, [])
        meeting_id, meeting_day = (
            rng.choice(country_meetings)
            if country_meetings and rng.random() < 0.2
            else (None, None)
        )
        if status in signed:
            # One signed at a meeting was signed on the day of the meeting.
            signed_on = meeting_day or _day(rng, FIRST_DAY, datetime.date(2025, 12, 31))
            effective_on = signed_on + datetime.timedelta(days=rng.choice((0, 0, 30, 90)))
            if rng.random() < 0.7:
                expires_on = effective_on + datetime.timedelta(days=365 * rng.randrange(3, 6))
        supersedes = None
        if (
            status in signed
            and status != AgreementStatus.SUPERSEDED
            and to_supersede[code]
            and rng.random() < 0.5
        ):
            supersedes = to_supersede[code].pop()
        if status == AgreementStatus.SUPERSEDED:
            to_supersede[code].append(next_id)
        chosen_sectors = rng.sample(SECTORS, rng.randrange(1, 4))
        words = SECTOR_WORDS[chosen_sectors[0]]
        created, updated = _stamps(rng, signed_on or _day(rng))
        rows.append(
            (
                next_id,
                f"Memorandum of Cooperation on {words[0]} with {code}",
                f"{words[1]}分野の協力覚書",
                kind,
                orgs.mlit if rng.random() < 0.9 else rng.choice(orgs.japanese),
                rng.choice(people.officials) if signed_on else None,
                code,
                "",
                f"Cooperation in {words[0].lower()} and related fields.",
                status,
                signed_on,
                effective_on,
                expires_on,
                rng.choice(renewals),
                meeting_id,
                supersedes,
                created,
                updated,
            )
        )
        for organization_id in rng.sample(orgs.by_country[code], rng.randrange(1, 3)):
            organizations.append((next_id, organization_id))
        for sector in chosen_sectors:
            sectors.append((next_id, sector))
        country_projects = projects.by_country.get(code, [])
        for project_id in rng.sample(
            country_projects, min(len(country_projects), rng.randrange(0, 3))
        ):
            linked.append((next_id, project_id))
        next_id += 1
    writer.write(
        Agreement,
        [
            "id",
            "title",
            "title_ja",
            "kind",
            "japanese_signatory_id",
            "signed_by_id",
            "counterpart_country",
            "target_countries",
            "scope",
            "status",
            "signed_on",
            "effective_on",
            "expires_on",
            "renewal",
            "signed_at_meeting_id",
            "supersedes_id",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    writer.write(
        Agreement.counterpart_organizations.through,
        ["agreement_id", "organization_id"],
        organizations,
    )
    writer.write(Agreement.sectors.through, ["agreement_id", "sector_id"], sectors)
    writer.write(Agreement.projects.through, ["agreement_id", "project_id"], linked)
    return [row[0] for row in rows]


def _followups(rng, writer, scale: Scale, users, missions, meetings, agreements, projects):
    content_types = {
        model: ContentType.objects.get_for_model(model).pk
        for model in (Mission, Meeting, Agreement, Project)
    }
    meeting_ids = [meeting_id for held in meetings.values() for meeting_id, _ in held]
    targets = [
        (content_types[Meeting], meeting_ids, 50),
        (content_types[Mission], [plan.id for plan in missions], 15),
        (content_types[Agreement], agreements, 15),
        (content_types[Project], list(projects.country_of), 20),
    ]
    targets = [target for target in targets if target[1]]
    weights = [target[2] for target in targets]
    statuses = [
        FollowUpStatus.OPEN.value,
        FollowUpStatus.DONE.value,
        FollowUpStatus.CANCELLED.value,
    ]

    def rows():
        for _ in range(scale.followups):
            content_type, ids, _weight = rng.choices(targets, weights)[0]
            due_on = _day(rng, datetime.date(2010, 6, 1), datetime.date(2026, 6, 30))
            status = rng.choices(statuses, (40, 50, 10))[0]
            done_on = (
                due_on + datetime.timedelta(days=rng.randrange(-20, 15))
                if status == FollowUpStatus.DONE
                else None
            )
            created, updated = _stamps(rng, due_on - datetime.timedelta(days=30))
            yield (
                content_type,
                rng.choice(ids),
                rng.choice(FOLLOWUP_TITLES),
                "",
                rng.choice(users) if rng.random() < 0.8 else None,
                due_on,
                status,
                done_on,
                created,
                updated,
            )

    writer.write(
        FollowUp,
        [
            "content_type_id",
            "object_id",
            "title",
            "description",
            "assignee_id",
            "due_on",
            "status",
            "done_on",
            "created_at",
            "updated_at",
        ],
        rows(),
    )


GENERATED_MODELS = [
    User,
    Organization,
    Person,
    Post,
    Project,
    ProjectParticipant,
    WatchList,
    WatchListEntry,
    OrderFigure,
    Mission,
    Meeting,
    Agreement,
    FollowUp,
]


def _reset_sequences():
    """COPY gave explicit ids: move each table's sequence past them."""
    with connection.cursor() as cursor:
        for model in GENERATED_MODELS:
            table = model._meta.db_table
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 1))",
                [table],
            )


def current_size() -> Scale:
    """How much data the database holds, in the terms of Scale."""
    return Scale(
        missions=Mission.objects.count(),
        meetings=Meeting.objects.count(),
        projects=Project.objects.count(),
        agreements=Agreement.objects.count(),
        followups=FollowUp.objects.count(),
    )
