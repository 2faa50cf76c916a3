"""Demo data: the records the source document names, and a synthetic set whose
aggregates reproduce the document's figures exactly (/work/shared/seed/facts.md).

Loaded by `manage.py load_demo`. Every row is looked up by a natural key and created
when it is missing; a row already there is left exactly as it is, since staff may have
worked on it (a follow-up marked done), so that a second run, on any day, writes
nothing at all (not even a history row). `load_demo --reset` instead brings every demo
row back to its demo values, writing only the rows that differ. Everything is explicit
arithmetic over fixed tables: no random.

Synthetic records carry "Demo" (デモ) in their names; real records do not. Where the
article names an occasion but not every participant (the five other African countries
met at TICAD7), the participants are demo placeholders.

Follow-up due dates and one agreement's expiry are relative to the date a row is
created, so that the reminders have something overdue, due this week and expiring
soon; a plain run never moves them, a reset moves them relative to its own date.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.roles import DATA_ENTRY
from agreements.choices import AgreementKind, AgreementStatus, Renewal
from agreements.models import Agreement
from agreements.services import agreement_save
from contacts.choices import OrganizationKind
from contacts.models import Organization, Person, Post
from core.classification import Classification
from core.models import Sector
from core.regions import JAPAN, region_of
from core.sectors import SectorCode
from core.services import validated_save
from followups.choices import FollowUpStatus
from followups.models import FollowUp
from missions.choices import LeaderRank, MissionKind, MissionStatus
from missions.models import Meeting, Mission
from notes.models import Note
from projects.choices import (
    FigureKind,
    ParticipantRole,
    ProjectStatus,
    Scheme,
    Stage,
    WatchListOutcome,
)
from projects.models import OrderFigure, Project, ProjectParticipant, WatchList, WatchListEntry

D = datetime.date
# The demo's need-to-know readers (core.classification): demo-staff-1.
DEMO_NEGOTIATION_TEAM = "Demo negotiation team"
K = OrganizationKind

# --------------------------------------------------------------------------------------
# Fixed tables
# --------------------------------------------------------------------------------------

# English and Japanese names and the capital, kept here rather than read from
# django-countries because its names follow the active language, and a name that
# changes with the language would break the natural keys.
COUNTRIES = {
    "VN": ("Viet Nam", "ベトナム", "Hanoi"),
    "KH": ("Cambodia", "カンボジア", "Phnom Penh"),
    "LA": ("Laos", "ラオス", "Vientiane"),
    "TH": ("Thailand", "タイ", "Bangkok"),
    "ID": ("Indonesia", "インドネシア", "Jakarta"),
    "PH": ("Philippines", "フィリピン", "Manila"),
    "MY": ("Malaysia", "マレーシア", "Kuala Lumpur"),
    "MM": ("Myanmar", "ミャンマー", "Nay Pyi Taw"),
    "SG": ("Singapore", "シンガポール", "Singapore"),
    "BN": ("Brunei", "ブルネイ", "Bandar Seri Begawan"),
    "TL": ("Timor-Leste", "東ティモール", "Dili"),
    "IN": ("India", "インド", "New Delhi"),
    "BD": ("Bangladesh", "バングラデシュ", "Dhaka"),
    "LK": ("Sri Lanka", "スリランカ", "Colombo"),
    "NP": ("Nepal", "ネパール", "Kathmandu"),
    "PK": ("Pakistan", "パキスタン", "Islamabad"),
    "MN": ("Mongolia", "モンゴル", "Ulaanbaatar"),
    "KR": ("Republic of Korea", "韓国", "Seoul"),
    "RU": ("Russia", "ロシア", "Moscow"),
    "UZ": ("Uzbekistan", "ウズベキスタン", "Tashkent"),
    "KZ": ("Kazakhstan", "カザフスタン", "Astana"),
    "TR": ("Turkey", "トルコ", "Ankara"),
    "AE": ("United Arab Emirates", "アラブ首長国連邦", "Abu Dhabi"),
    "SA": ("Saudi Arabia", "サウジアラビア", "Riyadh"),
    "QA": ("Qatar", "カタール", "Doha"),
    "KE": ("Kenya", "ケニア", "Nairobi"),
    "EG": ("Egypt", "エジプト", "Cairo"),
    "ET": ("Ethiopia", "エチオピア", "Addis Ababa"),
    "GH": ("Ghana", "ガーナ", "Accra"),
    "TN": ("Tunisia", "チュニジア", "Tunis"),
    "MZ": ("Mozambique", "モザンビーク", "Maputo"),
    "CI": ("Côte d'Ivoire", "コートジボワール", "Abidjan"),
    "MG": ("Madagascar", "マダガスカル", "Antananarivo"),
    "NG": ("Nigeria", "ナイジェリア", "Abuja"),
    "GB": ("United Kingdom", "英国", "London"),
    "FR": ("France", "フランス", "Paris"),
    "PL": ("Poland", "ポーランド", "Warsaw"),
    "RO": ("Romania", "ルーマニア", "Bucharest"),
    "US": ("United States", "米国", "Washington, D.C."),
    "CA": ("Canada", "カナダ", "Ottawa"),
    "BR": ("Brazil", "ブラジル", "Brasília"),
    "MX": ("Mexico", "メキシコ", "Mexico City"),
    "PE": ("Peru", "ペルー", "Lima"),
    "CL": ("Chile", "チリ", "Santiago"),
    "AU": ("Australia", "豪州", "Canberra"),
    "NZ": ("New Zealand", "ニュージーランド", "Wellington"),
    "PG": ("Papua New Guinea", "パプアニューギニア", "Port Moresby"),
}


def _en(code):
    return COUNTRIES[code][0]


def _ja(code):
    return COUNTRIES[code][1]


S = SectorCode

# The public bodies the article names (JICA, JOIN, and those given overseas roles by
# the Overseas Infrastructure Deployment Act of August 2018).
_DEPLOYMENT_ACT = "Given overseas roles by the Overseas Infrastructure Deployment Act (海外インフラ展開法, in force August 2018)."
REAL_PUBLIC_BODIES = {
    "JICA": (
        "Japan International Cooperation Agency (JICA)",
        "独立行政法人国際協力機構",
        "https://www.jica.go.jp/",
        "Also does surveys ahead of projects.",
    ),
    "JOIN": (
        "Japan Overseas Infrastructure Investment Corporation for Transport & Urban Development (JOIN)",
        "株式会社海外交通・都市開発事業支援機構",
        "https://www.join-future.co.jp/",
        "Founded October 2014: a public-private fund that invests in and sends people to "
        "overseas transport and urban development projects.",
    ),
    "JBIC": (
        "Japan Bank for International Cooperation (JBIC)",
        "株式会社国際協力銀行",
        "https://www.jbic.go.jp/",
        "",
    ),
    "NEXI": (
        "Nippon Export and Investment Insurance (NEXI)",
        "株式会社日本貿易保険",
        "https://www.nexi.go.jp/",
        "",
    ),
    "JRTT": (
        "Japan Railway Construction, Transport and Technology Agency (JRTT)",
        "独立行政法人鉄道建設・運輸施設整備支援機構",
        "https://www.jrtt.go.jp/",
        _DEPLOYMENT_ACT,
    ),
    "UR": (
        "Urban Renaissance Agency (UR)",
        "独立行政法人都市再生機構",
        "https://www.ur-net.go.jp/",
        _DEPLOYMENT_ACT,
    ),
    "JWA": (
        "Japan Water Agency",
        "独立行政法人水資源機構",
        "https://www.water.go.jp/",
        _DEPLOYMENT_ACT,
    ),
    "JSWA": (
        "Japan Sewage Works Agency",
        "日本下水道事業団",
        "https://www.jswa.go.jp/",
        _DEPLOYMENT_ACT,
    ),
}

ARTICLE = (
    "MLIT, report on the overseas deployment of infrastructure systems (January 2020), "
    "Figure 1 インフラ受注実績と目標値 (経協インフラ戦略会議資料)"
)
ORDER_FIGURES = [
    # (year, amount in yen, kind): "about ¥10 trn in 2010, about ¥23 trn in 2017, target ¥30 trn in 2020".
    (2010, 10 * 10**12, FigureKind.ACTUAL),
    (2017, 23 * 10**12, FigureKind.ACTUAL),
    (2020, 30 * 10**12, FigureKind.TARGET),
]

DEMO_JAPANESE_COMPANIES = [
    ("Demo Trading Corporation", "デモ商事株式会社"),
    ("Demo Railway Systems Co., Ltd.", "デモ鉄道システム株式会社"),
    ("Demo Construction Co., Ltd.", "デモ建設株式会社"),
    ("Demo Engineering Consultants Inc.", "デモエンジニアリングコンサルタンツ株式会社"),
    ("Demo Water Solutions Co., Ltd.", "デモ水処理株式会社"),
]
DEMO_FOREIGN_COMPANY = ("Demo Overseas Contractor Ltd.", "デモ海外建設", "KR")

# A counterpart ministry per portfolio; a project's owner is the ministry of its sector.
PORTFOLIOS = [
    ("Transport", "運輸"),
    ("Public Works", "公共事業"),
    ("Urban Development", "都市開発"),
    ("Water Resources", "水資源"),
]
PORTFOLIO_OF_SECTOR = {
    S.RAILWAY: 0,
    S.ROAD: 0,
    S.PORT: 0,
    S.AIRPORT: 0,
    S.LOGISTICS: 0,
    S.URBAN_DEVELOPMENT: 2,
    S.SMART_CITY: 2,
    S.WATER: 3,
    S.SEWERAGE: 3,
    S.DISASTER_PREVENTION: 3,
    S.OTHER: 1,
}

# MLIT's demo leaders. Their posts span the cabinets of Aug 2017 – Sep 2019, which
# cover every demo mission.
_MLIT_POST_SPAN = (D(2017, 8, 3), D(2019, 9, 11))
LEADERS = {
    "minister": (
        "Demo Minister AOYAMA Ichiro",
        "デモ大臣 青山一郎",
        LeaderRank.MINISTER,
        "Minister of Land, Infrastructure, Transport and Tourism (demo)",
        "国土交通大臣（デモ）",
    ),
    "state1": (
        "Demo State Minister KAWAI Jiro",
        "デモ副大臣 川井次郎",
        LeaderRank.STATE_MINISTER,
        "State Minister of Land, Infrastructure, Transport and Tourism (demo)",
        "国土交通副大臣（デモ）",
    ),
    "state2": (
        "Demo State Minister MORI Saburo",
        "デモ副大臣 森三郎",
        LeaderRank.STATE_MINISTER,
        "State Minister of Land, Infrastructure, Transport and Tourism (demo)",
        "国土交通副大臣（デモ）",
    ),
    "pvm1": (
        "Demo Parliamentary Vice-Minister NODA Shiro",
        "デモ大臣政務官 野田四郎",
        LeaderRank.PARLIAMENTARY_VICE_MINISTER,
        "Parliamentary Vice-Minister of Land, Infrastructure, Transport and Tourism (demo)",
        "国土交通大臣政務官（デモ）",
    ),
    "pvm2": (
        "Demo Parliamentary Vice-Minister HAYASHI Goro",
        "デモ大臣政務官 林五郎",
        LeaderRank.PARLIAMENTARY_VICE_MINISTER,
        "Parliamentary Vice-Minister of Land, Infrastructure, Transport and Tourism (demo)",
        "国土交通大臣政務官（デモ）",
    ),
    "official": (
        "Demo Director-General UENO Rokuro",
        "デモ国際統括官 上野六郎",
        LeaderRank.SENIOR_OFFICIAL,
        "Director-General for International Affairs (demo)",
        "国際統括官（デモ）",
    ),
}

MK = MissionKind
PPM_DELEGATION = ("JICA", "JOIN", "Demo Trading Corporation", "Demo Railway Systems Co., Ltd.")
CONFERENCE_DELEGATION = ("JICA", "JBIC", "NEXI")


@dataclass(frozen=True)
class DemoMission:
    key: str  # "2018-05b": start month and a letter, unique
    leader: str  # a key of LEADERS
    kind: str
    start: datetime.date
    end: datetime.date
    # (country, number of meetings): two meetings with one country are one engagement.
    visits: tuple
    sectors: tuple
    status: str = MissionStatus.COMPLETED
    venue: tuple | None = None  # (city, country) when every meeting is at one place
    delegation: tuple = ()


def _m(key, leader, kind, start, end, visits, sectors, **kwargs):
    if kind == MK.PUBLIC_PRIVATE_MISSION:
        kwargs.setdefault("delegation", PPM_DELEGATION)
    if kind == MK.CONFERENCE:
        kwargs.setdefault("delegation", CONFERENCE_DELEGATION)
    if kind == MK.HOSTED_MEETING:
        kwargs.setdefault("venue", ("Tokyo", JAPAN))
    return DemoMission(key, leader, kind, start, end, tuple(visits), tuple(sectors), **kwargs)


# The 2018 missions that count as top sales: 27 completed missions led by a minister,
# state minister or parliamentary vice-minister, 69 (mission, country) pairs in 31
# countries, 35 of them in the ten ASEAN members of 2018. Seven missions meet one
# country twice (still one engagement each); Timor-Leste is visited twice but was not
# an ASEAN member in 2018.
# fmt: off
# (A table reads better one mission per two lines than one argument per line.)
MISSIONS_2018 = [
    _m("2018-01a", "minister", MK.PUBLIC_PRIVATE_MISSION, D(2018, 1, 8), D(2018, 1, 12),
       [("VN", 2), ("KH", 1), ("LA", 1)], [S.RAILWAY, S.URBAN_DEVELOPMENT]),
    _m("2018-01b", "pvm1", MK.OVERSEAS_VISIT, D(2018, 1, 22), D(2018, 1, 25),
       [("IN", 2), ("BD", 1)], [S.RAILWAY, S.ROAD]),
    _m("2018-02a", "state1", MK.HOSTED_MEETING, D(2018, 2, 6), D(2018, 2, 6),
       [("TH", 1)], [S.RAILWAY]),
    _m("2018-02b", "state2", MK.OVERSEAS_VISIT, D(2018, 2, 19), D(2018, 2, 23),
       [("ID", 1), ("PH", 1), ("MY", 1)], [S.PORT, S.DISASTER_PREVENTION]),
    _m("2018-03a", "pvm2", MK.OVERSEAS_VISIT, D(2018, 3, 5), D(2018, 3, 9),
       [("MM", 1), ("TH", 1), ("SG", 1)], [S.URBAN_DEVELOPMENT, S.SMART_CITY]),
    _m("2018-03b", "minister", MK.HOSTED_MEETING, D(2018, 3, 15), D(2018, 3, 15),
       [("VN", 1)], [S.AIRPORT]),
    _m("2018-04a", "state1", MK.OVERSEAS_VISIT, D(2018, 4, 23), D(2018, 4, 27),
       [("RU", 1), ("UZ", 1), ("KZ", 1)], [S.RAILWAY, S.LOGISTICS]),
    _m("2018-04b", "minister", MK.PUBLIC_PRIVATE_MISSION, D(2018, 4, 30), D(2018, 5, 4),
       [("TR", 2), ("AE", 1), ("SA", 1)], [S.URBAN_DEVELOPMENT, S.RAILWAY, S.AIRPORT]),
    _m("2018-05a", "pvm1", MK.OVERSEAS_VISIT, D(2018, 5, 14), D(2018, 5, 18),
       [("ID", 1), ("PH", 1), ("TL", 1)], [S.ROAD, S.PORT]),
    _m("2018-06a", "state2", MK.CONFERENCE, D(2018, 6, 11), D(2018, 6, 12),
       [("VN", 1), ("MY", 1), ("IN", 1), ("MN", 1), ("KE", 1)],
       [S.OTHER, S.URBAN_DEVELOPMENT], venue=("Tokyo", JAPAN)),
    _m("2018-07a", "minister", MK.OVERSEAS_VISIT, D(2018, 7, 23), D(2018, 7, 27),
       [("US", 1), ("MX", 1), ("PE", 1)], [S.RAILWAY, S.DISASTER_PREVENTION]),
    _m("2018-07b", "pvm2", MK.OVERSEAS_VISIT, D(2018, 7, 30), D(2018, 8, 3),
       [("LK", 2), ("IN", 1), ("BD", 1)], [S.PORT, S.ROAD]),
    _m("2018-08a", "state1", MK.PUBLIC_PRIVATE_MISSION, D(2018, 8, 20), D(2018, 8, 24),
       [("TH", 2), ("MM", 1), ("KH", 1)], [S.RAILWAY, S.WATER, S.SEWERAGE]),
    _m("2018-08b", "pvm1", MK.HOSTED_MEETING, D(2018, 8, 28), D(2018, 8, 28),
       [("ID", 1)], [S.RAILWAY]),
    _m("2018-09a", "minister", MK.OVERSEAS_VISIT, D(2018, 9, 10), D(2018, 9, 14),
       [("GB", 1), ("FR", 1)], [S.RAILWAY, S.OTHER]),
    _m("2018-09b", "state2", MK.OVERSEAS_VISIT, D(2018, 9, 17), D(2018, 9, 21),
       [("PH", 1), ("VN", 1), ("LA", 1)], [S.DISASTER_PREVENTION, S.WATER]),
    _m("2018-10a", "pvm2", MK.OVERSEAS_VISIT, D(2018, 10, 1), D(2018, 10, 5),
       [("BR", 1)], [S.RAILWAY, S.URBAN_DEVELOPMENT]),
    _m("2018-10b", "minister", MK.CONFERENCE, D(2018, 10, 15), D(2018, 10, 17),
       [("TH", 1), ("MY", 1), ("BN", 1), ("VN", 1)],
       [S.SMART_CITY, S.URBAN_DEVELOPMENT], venue=("Bangkok", "TH")),
    _m("2018-10c", "state1", MK.OVERSEAS_VISIT, D(2018, 10, 22), D(2018, 10, 26),
       [("TR", 1), ("QA", 1), ("EG", 1)], [S.URBAN_DEVELOPMENT, S.PORT]),
    _m("2018-11a", "pvm1", MK.ONLINE, D(2018, 11, 6), D(2018, 11, 6),
       [("AU", 1)], [S.OTHER]),
    _m("2018-11b", "minister", MK.OVERSEAS_VISIT, D(2018, 11, 12), D(2018, 11, 16),
       [("ID", 2), ("PH", 1), ("MM", 1)], [S.RAILWAY, S.PORT, S.ROAD]),
    _m("2018-11c", "state2", MK.HOSTED_MEETING, D(2018, 11, 20), D(2018, 11, 21),
       [("IN", 1), ("LK", 1)], [S.RAILWAY, S.PORT]),
    _m("2018-11d", "pvm2", MK.OVERSEAS_VISIT, D(2018, 11, 26), D(2018, 11, 30),
       [("RU", 1), ("UZ", 1), ("MN", 1)], [S.URBAN_DEVELOPMENT, S.AIRPORT]),
    _m("2018-12a", "minister", MK.PUBLIC_PRIVATE_MISSION, D(2018, 12, 3), D(2018, 12, 7),
       [("VN", 2), ("TH", 1), ("MY", 1)], [S.RAILWAY, S.URBAN_DEVELOPMENT, S.LOGISTICS]),
    _m("2018-12b", "state1", MK.OVERSEAS_VISIT, D(2018, 12, 10), D(2018, 12, 14),
       [("KE", 1), ("AE", 1), ("TL", 1)], [S.ROAD, S.PORT]),
    _m("2018-12c", "pvm1", MK.HOSTED_MEETING, D(2018, 12, 18), D(2018, 12, 18),
       [("US", 1)], [S.RAILWAY]),
    _m("2018-12d", "state2", MK.OVERSEAS_VISIT, D(2018, 12, 19), D(2018, 12, 22),
       [("ID", 1), ("PH", 1), ("VN", 1)], [S.WATER, S.SEWERAGE]),
]
# fmt: on

# Missions that must not count in 2018: the wrong rank, not completed, the wrong year.
# fmt: off
MISSIONS_NOISE = [
    _m("2018-06b", "official", MK.OVERSEAS_VISIT, D(2018, 6, 25), D(2018, 6, 29),
       [("VN", 1), ("IN", 1)], [S.RAILWAY]),
    _m("2018-09c", "state1", MK.OVERSEAS_VISIT, D(2018, 9, 25), D(2018, 9, 28),
       [("MY", 1), ("SG", 1)], [S.RAILWAY], status=MissionStatus.CANCELLED),
    _m("2018-12e", "pvm2", MK.OVERSEAS_VISIT, D(2018, 12, 26), D(2018, 12, 28),
       [("NZ", 1)], [S.DISASTER_PREVENTION], status=MissionStatus.PLANNED),
    _m("2017-11a", "minister", MK.OVERSEAS_VISIT, D(2017, 11, 13), D(2017, 11, 17),
       [("VN", 1), ("ID", 1)], [S.RAILWAY, S.PORT]),
    _m("2017-12a", "state2", MK.HOSTED_MEETING, D(2017, 12, 20), D(2017, 12, 20),
       [("IN", 1)], [S.RAILWAY]),
    _m("2019-01a", "minister", MK.OVERSEAS_VISIT, D(2019, 1, 7), D(2019, 1, 11),
       [("TH", 1), ("MM", 2)], [S.RAILWAY, S.URBAN_DEVELOPMENT]),
    _m("2019-05a", "pvm1", MK.PUBLIC_PRIVATE_MISSION, D(2019, 5, 13), D(2019, 5, 16),
       [("KE", 1), ("ET", 1)], [S.ROAD, S.URBAN_DEVELOPMENT]),
]
# fmt: on

KIND_PHRASES = {
    MK.OVERSEAS_VISIT: ("visit", "訪問"),
    MK.PUBLIC_PRIVATE_MISSION: ("public-private infrastructure mission", "官民インフラミッション"),
    MK.HOSTED_MEETING: ("meetings with visiting ministers", "来日要人との会談"),
    MK.CONFERENCE: ("conference side meetings", "国際会議サイド会談"),
    MK.ONLINE: ("online meeting", "オンライン会談"),
}

# The TICAD7 bilateral meetings (Yokohama, 2019-08-28..30), held by Minister Ishii and
# Parliamentary Vice-Minister Adachi. The article names Ghana and Tunisia; the other five
# countries and every counterpart are demo placeholders. Neither the days of the
# meetings nor who held which is in the article: here Adachi holds the last day's, so
# that Kenya, met by both, counts two engagements (one per official).
TICAD7_MEETINGS = [
    # (date, country, portfolio index or None for the real ministry, held by Adachi)
    (D(2019, 8, 28), "KE", 0, False),
    (D(2019, 8, 28), "MZ", 0, False),
    (D(2019, 8, 29), "GH", None, False),
    (D(2019, 8, 29), "TN", None, False),
    (D(2019, 8, 29), "CI", 0, False),
    (D(2019, 8, 30), "KE", 3, True),
    (D(2019, 8, 30), "MG", 0, True),
    (D(2019, 8, 30), "EG", 0, True),
]
TICAD7_TITLE = (
    "TICAD7: 2nd Japan–Africa Public-Private Infrastructure Conference and bilateral meetings"
)

# --- Watch lists -----------------------------------------------------------------------

SEA_CYCLE = ["VN", "ID", "PH", "TH", "MY", "MM", "KH", "LA", "VN", "ID", "PH", "SG", "TH", "TL"]
SA_CYCLE = ["IN", "BD", "LK", "IN", "NP", "PK", "IN", "BD"]
SECTOR_CYCLE = [
    S.RAILWAY,
    S.ROAD,
    S.PORT,
    S.URBAN_DEVELOPMENT,
    S.AIRPORT,
    S.WATER,
    S.RAILWAY,
    S.SEWERAGE,
    S.DISASTER_PREVENTION,
    S.SMART_CITY,
    S.LOGISTICS,
    S.ROAD,
]
SCHEME_CYCLE = [
    Scheme.YEN_LOAN,
    Scheme.PPP,
    Scheme.PRIVATE,
    Scheme.JOIN_INVESTMENT,
    Scheme.YEN_LOAN,
    Scheme.GRANT_AID,
    Scheme.PPP,
    Scheme.TECHNICAL_COOPERATION,
]
ACTIVE_STAGES = [
    Stage.FEASIBILITY_STUDY,
    Stage.PROCUREMENT,
    Stage.MASTER_PLAN,
    Stage.CONSTRUCTION,
    Stage.IDENTIFICATION,
    Stage.PROCUREMENT,
]
NEW_STAGES = [Stage.IDENTIFICATION, Stage.MASTER_PLAN, Stage.FEASIBILITY_STUDY]
SECTOR_WORDS = {
    S.RAILWAY: ("Urban railway line", "都市鉄道"),
    S.ROAD: ("Expressway", "高速道路"),
    S.PORT: ("Container terminal", "コンテナターミナル"),
    S.AIRPORT: ("Airport terminal expansion", "空港ターミナル拡張"),
    S.WATER: ("Dam rehabilitation", "ダム再生"),
    S.SEWERAGE: ("Sewage treatment plant", "下水処理場"),
    S.URBAN_DEVELOPMENT: ("Mixed-use urban development", "複合都市開発"),
    S.DISASTER_PREVENTION: ("Flood control", "洪水対策"),
    S.SMART_CITY: ("Smart city pilot", "スマートシティ"),
    S.LOGISTICS: ("Logistics hub", "物流拠点"),
    S.OTHER: ("Infrastructure package", "インフラ整備"),
}
REMOVAL_REASONS = [
    "Tender delayed (入札延期)",
    "Tender delayed (入札延期)",
    "Owner changed the procurement method (調達方式の変更)",
    "Tender delayed (入札延期)",
    "Financing not arranged (資金調達の目途立たず)",
    "Tender delayed (入札延期)",
    "Tender delayed (入札延期)",
]

# The Action Plan 2018 list (83) by what became of each project by 2019, and the 18
# added in 2019. Countries are given per group so that the region as printed (the
# project country's region) gives the 2019 list 46 Southeast Asia and 9 South Asia.
_OTHERS_CONTINUED = "MN RU UZ KZ TR AE SA KE KE GH CI MZ EG TN GB PL US CA BR MX PE PG".split()  # noqa: SIM905
_OTHERS_ADDED = "MN UZ TR QA NG RO".split()  # noqa: SIM905


def _watch_list_groups():
    """(outcome or "added", countries) groups, in a fixed order."""
    sea = iter(SEA_CYCLE * 4)
    sa = iter(SA_CYCLE * 2)

    def take(it, n):
        return [next(it) for _ in range(n)]

    return [
        (WatchListOutcome.CONTINUED, take(sea, 36) + take(sa, 7) + _OTHERS_CONTINUED),
        (WatchListOutcome.WON_JAPANESE, take(sea, 6) + take(sa, 2) + ["AE", "CL"]),
        (WatchListOutcome.WON_FOREIGN, take(sea, 1)),
        (WatchListOutcome.REMOVED, take(sea, 3) + take(sa, 1) + ["ET", "KE", "RO"]),
        ("added", take(sea, 10) + take(sa, 2) + _OTHERS_ADDED),
    ]


@dataclass(frozen=True)
class DemoProject:
    number: int
    country: str
    fate: str  # a WatchListOutcome of the 2018 entry, or "added" (only on the 2019 list)
    rank: int  # position within its fate group

    @property
    def sector(self):
        return SECTOR_CYCLE[self.number % len(SECTOR_CYCLE)]

    @property
    def name(self):
        return (
            f"Demo project {self.number:03d} – {SECTOR_WORDS[self.sector][0]}, {_en(self.country)}"
        )

    @property
    def name_ja(self):
        return f"デモ案件{self.number:03d} {_ja(self.country)}{SECTOR_WORDS[self.sector][1]}"


def project_plan():
    """Every demo project in number order: the 83 of Action Plan 2018 spread so that
    the outcomes interleave, then the 18 added in 2019."""
    groups = _watch_list_groups()
    listed, added = [], []
    for order, (fate, countries) in enumerate(groups):
        for rank, country in enumerate(countries):
            # Spreading each group evenly over the list by its relative position.
            key = ((2 * rank + 1) * 1000 // (2 * len(countries)), order)
            (added if fate == "added" else listed).append((key, fate, rank, country))
    listed.sort()
    plan = []
    for number, (_key, fate, rank, country) in enumerate(listed + added, start=1):
        plan.append(DemoProject(number, country, fate, rank))
    return plan


# --- Agreements --------------------------------------------------------------------------

GHANA_MOC = "Memorandum of Cooperation between MLIT and the Ministry of Roads and Highways of the Republic of Ghana"
TUNISIA_MOC = "Memorandum of Cooperation between MLIT and the Ministry of Foreign Affairs of the Republic of Tunisia in the field of infrastructure"

NOTE_TEXTS = [
    "電話で先方の担当局長と意見交換。港湾の整備計画について追加資料を求められた。",
    "Embassy reports the ministry is drafting the tender documents.",
    "先方から道路維持管理の研修への参加希望あり。",
    "Met the director at the seminar; interested in the railway signalling standard.",
    "JICA事務所と打合せ。案件形成調査の時期を確認。",
    "The counterpart asked for the minutes in English by the end of the month.",
]

FOLLOWUP_ACTIONS = [
    "send the feasibility study proposal",
    "arrange the working-level meeting",
    "share the technical standards in English",
    "report the outcome to the Minister's office",
    "confirm the tender schedule with the owner",
    "invite the counterpart to the next seminar",
    "draft the joint committee terms of reference",
    "answer the financing questions with JICA",
    "collect the Japanese firms' interest",
    "translate the minutes",
    "prepare the briefing for the next visit",
    "follow up the site survey request",
]


# --------------------------------------------------------------------------------------
# Loader
# --------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Rows per model: created, reset (found but different; only with --reset) and
    already present (left as they were)."""

    reset_mode: bool = False
    counts: dict = field(default_factory=lambda: defaultdict(Counter))

    def add(self, model, outcome):
        self.counts[model._meta.label][outcome] += 1

    @property
    def created(self):
        return sum(c["created"] for c in self.counts.values())

    @property
    def reset(self):
        return sum(c["reset"] for c in self.counts.values())

    @property
    def present(self):
        return sum(c["present"] for c in self.counts.values())

    def lines(self):
        width = max(len(label) for label in self.counts) if self.counts else 0
        for label, c in self.counts.items():
            reset = f"{c['reset']:3d} reset, " if self.reset_mode else ""
            yield (
                f"  {label:<{width}}  {c['created']:4d} created, {reset}"
                f"{c['present']:4d} already present"
            )
        reset = f"{self.reset} reset to their demo values, " if self.reset_mode else ""
        yield f"Total: {self.created} created, {reset}{self.present} already present."


class DemoLoader:
    def __init__(self, today, *, reset=False):
        self.today = today
        # Whether rows already present are brought back to their demo values.
        self.reset = reset
        self.tally = Tally(reset_mode=reset)
        self.orgs = {}  # short key -> Organization
        self.ministers = {}  # (country, portfolio) -> Person
        self.sectors = {}
        self.projects = []  # in number order
        self.projects_by_country = defaultdict(list)
        self.meetings = {}  # (mission key, country) -> first Meeting
        self.demo_missions = []
        self.demo_meetings = []
        self.demo_agreements = []
        self._country_meetings = Counter()
        self._created = set()  # (model, pk) of the rows this run created

    # -- generic writes ------------------------------------------------------------------

    def upsert(self, model, lookup, values, *, save=validated_save, on_create=None):
        """The row with `lookup`: created with `values` when missing; when present, left
        as it is, or with --reset brought back to `values`, saved (and so validated and
        historised) only when something differs."""
        obj = model._default_manager.filter(**lookup).order_by("pk").first()
        if obj is None:
            obj = model(**lookup, **values)
            if on_create is not None:
                on_create(obj)
            save(obj)
            self.tally.add(model, "created")
            self._created.add((model, obj.pk))
            return obj
        if not self.reset:
            self.tally.add(model, "present")
            return obj
        before = self._fingerprint(obj, values)
        for name, value in values.items():
            setattr(obj, name, value)
        if self._fingerprint(obj, values) != before:
            save(obj)
            self.tally.add(model, "reset")
        else:
            self.tally.add(model, "present")
        return obj

    def writes(self, obj):
        """Whether this run writes `obj`'s relations: a row it created, or any with --reset."""
        return self.reset or (type(obj), obj.pk) in self._created

    @staticmethod
    def _fingerprint(obj, values):
        # Compared as serialised strings so that a Country and its code, or an
        # instance and its id, are equal.
        return [obj._meta.get_field(name).value_to_string(obj) for name in values]

    def set_m2m(self, obj, **relations):
        """Bring many-to-many relations to exactly `relations` (name -> targets), on a
        row this run created or with --reset; otherwise leave them as they are."""
        if not self.writes(obj):
            return
        # A row created by this run has no links yet: no need to read them.
        new = (type(obj), obj.pk) in self._created
        changed = [
            (name, targets)
            for name, targets in relations.items()
            if (set() if new else set(getattr(obj, name).values_list("pk", flat=True)))
            != {target.pk for target in targets}
        ]
        # Each set() that changes something writes a history row, and every history
        # row snapshots all the record's many-to-many fields: one row, on the last
        # relation that changes, records the whole change.
        for position, (name, targets) in enumerate(changed, start=1):
            if position < len(changed):
                obj.skip_history_when_saving = True
            try:
                getattr(obj, name).set(targets)
            finally:
                obj.__dict__.pop("skip_history_when_saving", None)

    def sector_rows(self, codes):
        return [self.sectors[code] for code in codes]

    # -- run ---------------------------------------------------------------------------------

    def run(self):
        for code in SectorCode.values:
            self.sectors[code], _created = Sector.objects.get_or_create(code=code)
        self.load_real_directory()
        self.load_order_figures()
        self.load_demo_directory()
        self.load_projects()
        self.load_watch_lists()
        self.load_missions()
        self.load_ticad7()
        self.load_agreements()
        self.load_users()
        self.load_classified()
        self.load_followups()
        self.load_notes()

    # -- directory ---------------------------------------------------------------------------

    def org(self, key, name, name_ja, kind, country, *, website="", notes=""):
        values = {"name_ja": name_ja, "kind": kind, "website": website, "notes": notes}
        self.orgs[key] = self.upsert(
            Organization,
            {"name": name, "country": country},
            # A real organisation may already be on file with a website or notes of
            # its own: only what the loader knows is written.
            {field: value for field, value in values.items() if value},
        )
        return self.orgs[key]

    def person(self, name, name_ja, *, notes=""):
        return self.upsert(Person, {"name": name}, {"name_ja": name_ja, "notes": notes})

    def post(self, person, organization, title, title_ja, start, end=None):
        return self.upsert(
            Post,
            {"person": person, "organization": organization, "title": title},
            {"title_ja": title_ja, "start_date": start, "end_date": end},
        )

    def load_real_directory(self):
        self.org(
            "MLIT",
            settings.MLIT_ORGANIZATION_NAME,
            "国土交通省",
            K.JAPANESE_GOVERNMENT,
            JAPAN,
            website="https://www.mlit.go.jp/",
        )
        self.org(
            "GH", "Ministry of Roads and Highways", "ガーナ道路高速道省", K.FOREIGN_GOVERNMENT, "GH"
        )
        self.org(
            "TN", "Ministry of Foreign Affairs", "チュニジア外務省", K.FOREIGN_GOVERNMENT, "TN"
        )
        for key, (name, name_ja, website, notes) in REAL_PUBLIC_BODIES.items():
            self.org(
                key, name, name_ja, K.JAPANESE_PUBLIC_BODY, JAPAN, website=website, notes=notes
            )

        # Term dates are public record (cabinet changes), not from the article.
        self.ishii = self.person(
            "ISHII Keiichi", "石井啓一", notes="Minister at the time of TICAD7 (August 2019)."
        )
        self.post(
            self.ishii,
            self.orgs["MLIT"],
            "Minister of Land, Infrastructure, Transport and Tourism",
            "国土交通大臣",
            D(2015, 10, 7),
            D(2019, 9, 11),
        )
        # The article writes 阿達政務官 (Adachi Masashi), who held bilateral meetings at TICAD7.
        self.adachi = self.person(
            "ADACHI Masashi",
            "阿達雅志",
            notes="Parliamentary Vice-Minister at the time of TICAD7 (August 2019).",
        )
        self.post(
            self.adachi,
            self.orgs["MLIT"],
            "Parliamentary Vice-Minister of Land, Infrastructure, Transport and Tourism",
            "国土交通大臣政務官",
            D(2018, 10, 4),
            D(2019, 9, 13),
        )

    def load_order_figures(self):
        for year, amount, kind in ORDER_FIGURES:
            self.upsert(
                OrderFigure, {"year": year, "kind": kind}, {"amount_jpy": amount, "source": ARTICLE}
            )

    def load_demo_directory(self):
        for name, name_ja in DEMO_JAPANESE_COMPANIES:
            self.org(name, name, name_ja, K.JAPANESE_COMPANY, JAPAN, notes="Demo record.")
        name, name_ja, country = DEMO_FOREIGN_COMPANY
        self.org(name, name, name_ja, K.FOREIGN_COMPANY, country, notes="Demo record.")
        self.leaders = {}
        for key, (name, name_ja, rank, title, title_ja) in LEADERS.items():
            person = self.person(name, name_ja, notes="Demo record.")
            self.post(person, self.orgs["MLIT"], title, title_ja, *_MLIT_POST_SPAN)
            self.leaders[key] = (person, rank)

    def ministry(self, country, portfolio):
        """The demo ministry of `portfolio` (an index of PORTFOLIOS) in `country`."""
        key = ("ministry", country, portfolio)
        if key not in self.orgs:
            en, ja = PORTFOLIOS[portfolio]
            self.org(
                key,
                f"Demo Ministry of {en}, {_en(country)}",
                f"デモ{_ja(country)}{ja}省",
                K.FOREIGN_GOVERNMENT,
                country,
                notes="Demo record.",
            )
        return self.orgs[key]

    def minister(self, country, portfolio):
        """The demo minister heading that ministry, in post over every demo date."""
        key = (country, portfolio)
        if key not in self.ministers:
            en, ja = PORTFOLIOS[portfolio]
            person = self.person(
                f"Demo minister of {en.lower()}, {_en(country)}",
                f"デモ大臣（{_ja(country)}{ja}大臣）",
                notes="Demo record.",
            )
            self.post(
                person,
                self.ministry(country, portfolio),
                f"Minister of {en}",
                f"{ja}大臣",
                D(2016, 1, 1),
            )
            self.ministers[key] = person
        return self.ministers[key]

    # -- projects and watch lists ------------------------------------------------------------------

    def load_projects(self):
        companies = [self.orgs[name] for name, _ja in DEMO_JAPANESE_COMPANIES]
        cross_border_done = False
        for spec in project_plan():
            n, fate, rank = spec.number, spec.fate, spec.rank
            values = {
                "name_ja": spec.name_ja,
                "country": spec.country,
                "other_countries": [],
                "sector": spec.sector,
                "scheme": SCHEME_CYCLE[n % len(SCHEME_CYCLE)],
                "description": "Demo record: a synthetic project of the demo data set.",
                # The watch list is published (the Action Plan lists its projects): 機密性1,
                # and so in the OC4IDS feed (reports.oc4ids).
                "classification": Classification.PUBLIC,
                # 13 of them with no estimate yet; the others ¥10bn to ¥1trn in ¥10bn steps.
                "estimated_cost_jpy": None if n % 13 == 0 else ((n * 37) % 100 + 1) * 10**10,
                "owner": self.ministry(spec.country, PORTFOLIO_OF_SECTOR[spec.sector]),
                "tender_due_on": None,
                "awarded_on": None,
                "awarded_to": None,
                "status": ProjectStatus.ACTIVE,
            }
            if spec.country == "LA" and not cross_border_done:
                values["other_countries"] = ["TH"]
                cross_border_done = True
            if fate == WatchListOutcome.WON_JAPANESE:
                values |= {
                    "status": ProjectStatus.WON_JAPANESE,
                    "stage": Stage.CONSTRUCTION,
                    "awarded_on": D(2018, 4, 10) + datetime.timedelta(days=31 * rank),
                    "awarded_to": companies[rank % len(companies)],
                }
            elif fate == WatchListOutcome.WON_FOREIGN:
                values |= {
                    "status": ProjectStatus.WON_FOREIGN,
                    "stage": Stage.CONSTRUCTION,
                    "awarded_on": D(2018, 11, 20),
                    "awarded_to": self.orgs[DEMO_FOREIGN_COMPANY[0]],
                }
            elif fate == WatchListOutcome.REMOVED:
                delayed = REMOVAL_REASONS[rank].startswith("Tender delayed")
                values |= {
                    "status": ProjectStatus.ON_HOLD if delayed else ProjectStatus.DROPPED,
                    "stage": Stage.PROCUREMENT,
                    "tender_due_on": D(2019, 1 + rank, 15) if delayed else None,
                }
            elif fate == "added":
                values["stage"] = NEW_STAGES[n % len(NEW_STAGES)]
            else:
                values["stage"] = ACTIVE_STAGES[n % len(ACTIVE_STAGES)]
                if values["stage"] == Stage.PROCUREMENT:
                    values["tender_due_on"] = D(2019 + n % 3, 1 + n % 12, 1)
            project = self.upsert(Project, {"name": spec.name}, values)
            project.plan = spec
            self.projects.append(project)
            self.projects_by_country[spec.country].append(project)
            for organization, role in self._participants(project, values, n):
                self.upsert(
                    ProjectParticipant,
                    {"project": project, "organization": organization, "role": role},
                    {},
                )

    def _participants(self, project, values, n):
        if values["awarded_to"] is not None:
            yield values["awarded_to"], ParticipantRole.CONTRACTOR
        if values["scheme"] == Scheme.YEN_LOAN:
            yield self.orgs["JICA"], ParticipantRole.LENDER
        if values["scheme"] == Scheme.JOIN_INVESTMENT:
            yield self.orgs["JOIN"], ParticipantRole.INVESTOR
        if n % 4 == 0:
            yield self.orgs["Demo Engineering Consultants Inc."], ParticipantRole.CONSULTANT

    def load_watch_lists(self):
        # Published in March of each year; the article does not give the day.
        edition_2018 = self.upsert(
            WatchList,
            {"edition_year": 2018},
            {"name": "Action Plan 2018", "published_on": D(2018, 3, 30), "previous": None},
        )
        edition_2019 = self.upsert(
            WatchList,
            {"edition_year": 2019},
            {"name": "Action Plan 2019", "published_on": D(2019, 3, 29), "previous": edition_2018},
        )
        # The 2019 entries first: an outcome on a 2018 entry needs the next edition.
        for project in self.projects:
            if project.plan.fate in (WatchListOutcome.CONTINUED, "added"):
                self.entry(edition_2019, project, "", "")
        for project in self.projects:
            fate = project.plan.fate
            if fate != "added":
                reason = (
                    REMOVAL_REASONS[project.plan.rank] if fate == WatchListOutcome.REMOVED else ""
                )
                self.entry(edition_2018, project, fate, reason)

    def entry(self, watch_list, project, outcome, reason):
        return self.upsert(
            WatchListEntry,
            {"watch_list": watch_list, "project": project},
            {
                "region": region_of(project.country),
                "outcome_at_next_edition": outcome,
                "reason": reason,
            },
        )

    # -- missions ---------------------------------------------------------------------------

    def load_missions(self):
        for spec in MISSIONS_2018 + MISSIONS_NOISE:
            self.demo_missions.append(self.mission(spec))

    def mission(self, spec):
        leader, rank = self.leaders[spec.leader]
        countries = [country for country, _n in spec.visits]
        phrase_en, phrase_ja = KIND_PHRASES[spec.kind]
        mission = self.upsert(
            Mission,
            {
                "title": f"Demo mission {spec.key} – {phrase_en}: {', '.join(_en(c) for c in countries)}"
            },
            {
                "title_ja": f"デモミッション {spec.key} {phrase_ja}（{'・'.join(_ja(c) for c in countries)}）",
                "leader": leader,
                "leader_rank": rank,
                "kind": spec.kind,
                "start_date": spec.start,
                "end_date": spec.end,
                "status": spec.status,
                "purpose": "Demo record: promote Japanese infrastructure to the counterpart governments.",
                "summary": "",
            },
        )
        self.set_m2m(
            mission,
            sectors=self.sector_rows(spec.sectors),
            delegation=[self.orgs[key] for key in spec.delegation],
        )

        days = (spec.end - spec.start).days + 1
        index = 0
        for country, times in spec.visits:
            for _time in range(times):
                # Consecutive days, so that two meetings with one country differ by date.
                day = spec.start + datetime.timedelta(days=index % days)
                index += 1
                meeting = self.meeting(mission, spec, day, country)
                self.meetings.setdefault((spec.key, country), meeting)
                self.demo_meetings.append(meeting)
        return mission

    def meeting(self, mission, spec, day, country):
        # Each meeting with a country meets the next of its ministries in turn.
        portfolio = self._country_meetings[country] % len(PORTFOLIOS)
        self._country_meetings[country] += 1
        if spec.venue:
            city, venue_country = spec.venue
        elif spec.kind == MK.ONLINE:
            city, venue_country = "", ""
        else:
            city, venue_country = COUNTRIES[country][2], country
        sectors = ", ".join(str(SectorCode(code).label).lower() for code in spec.sectors)
        meeting = self.upsert(
            Meeting,
            {"mission": mission, "date": day, "counterpart_country": country},
            {
                # Held by the leader.
                "principal": mission.leader,
                "principal_rank": mission.leader_rank,
                "venue_city": city,
                "venue_country": venue_country,
                "topics": f"Demo: cooperation in {sectors}.",
                "outcome": "Demo: agreed to continue at working level.",
            },
        )
        self.set_m2m(
            meeting,
            counterparts=[self.minister(country, portfolio)],
            counterpart_organizations=[self.ministry(country, portfolio)],
            projects=self.projects_by_country.get(country, [])[:2],
        )
        return meeting

    def load_ticad7(self):
        mission = self.upsert(
            Mission,
            {"title": TICAD7_TITLE},
            {
                "title_ja": "TICAD7 第2回日-アフリカ官民インフラ会議及びバイ会談",
                "leader": self.ishii,
                "leader_rank": LeaderRank.MINISTER,
                "kind": MK.CONFERENCE,
                "start_date": D(2019, 8, 28),
                "end_date": D(2019, 8, 30),
                "status": MissionStatus.COMPLETED,
                "purpose": (
                    "Side event of the 7th Tokyo International Conference on African "
                    "Development (TICAD7), Yokohama: strengthen cooperation with African "
                    "countries and help Japanese firms enter."
                ),
                "summary": (
                    "Minister Ishii and Parliamentary Vice-Minister Adachi held bilateral "
                    "meetings with 8 ministers from 7 African countries; Memoranda of "
                    "Cooperation signed with Ghana's Ministry of Roads and Highways and "
                    "Tunisia's Ministry of Foreign Affairs. The article does not name the "
                    "other countries or the ministers: those records are demo placeholders."
                ),
                # Announced by the ministry's press release: 機密性1, like its meetings.
                "classification": Classification.PUBLIC,
            },
        )
        self.set_m2m(
            mission,
            sectors=self.sector_rows([S.ROAD, S.URBAN_DEVELOPMENT, S.OTHER]),
            delegation=[self.orgs[key] for key in ("JICA", "JOIN", "JBIC", "NEXI")],
        )
        real_ministers = {
            "GH": ("Minister of Roads and Highways", "道路高速道大臣", "ガーナ道路高速道大臣"),
            "TN": ("Minister of Foreign Affairs", "外務大臣", "チュニジア外務大臣"),
        }
        self.ticad7 = {}
        for day, country, portfolio, by_adachi in TICAD7_MEETINGS:
            if portfolio is None:
                organization = self.orgs[country]
                title, title_ja, person_ja = real_ministers[country]
                person = self.person(
                    f"Demo minister – {title}, {_en(country)}",
                    f"デモ大臣（{person_ja}）",
                    notes="Demo placeholder: the article does not name the minister.",
                )
                self.post(person, organization, title, title_ja, D(2019, 1, 1))
                topics = {
                    "GH": "PPP projects in the road sector and other fields.",
                    "TN": "Cooperation in the infrastructure field.",
                }[country]
                outcome = "Memorandum of Cooperation signed."
            else:
                organization = self.ministry(country, portfolio)
                person = self.minister(country, portfolio)
                topics = "Demo: infrastructure cooperation in Africa."
                outcome = "Demo: agreed to continue at working level."
            principal, rank = (
                (self.adachi, LeaderRank.PARLIAMENTARY_VICE_MINISTER)
                if by_adachi
                else (self.ishii, LeaderRank.MINISTER)
            )
            meeting = self.upsert(
                Meeting,
                {"mission": mission, "date": day, "counterpart_country": country},
                {
                    "principal": principal,
                    "principal_rank": rank,
                    "venue_city": "Yokohama",
                    "venue_country": JAPAN,
                    "topics": topics,
                    "outcome": outcome,
                    "classification": Classification.PUBLIC,
                },
            )
            self.set_m2m(
                meeting,
                counterparts=[person],
                counterpart_organizations=[organization],
                projects=self.projects_by_country.get(country, [])[:2],
            )
            self.ticad7.setdefault(country, meeting)

    # -- agreements ------------------------------------------------------------------------------

    def agreement(self, title, values, *, sectors=(), organizations=(), projects=()):
        existing = Agreement.objects.filter(title=title).first()
        if existing is not None and Agreement.objects.filter(supersedes=existing).exists():
            # A later agreement replaced it: the loader never brings it back in force.
            values = values | {"status": AgreementStatus.SUPERSEDED}
        values = {
            "title_ja": "",
            "japanese_signatory": self.orgs["MLIT"],
            "signed_by": None,
            "target_countries": [],
            "effective_on": None,
            "expires_on": None,
            "renewal": Renewal.NONE,
            "signed_at_meeting": None,
            "supersedes": None,
        } | values
        agreement = self.upsert(
            Agreement,
            {"title": title},
            values,
            save=lambda instance: agreement_save(agreement=instance),
        )
        self.set_m2m(
            agreement,
            sectors=self.sector_rows(sectors),
            counterpart_organizations=list(organizations),
            projects=list(projects),
        )
        return agreement

    def load_agreements(self):
        for country, title, title_ja, sectors, scope in (
            (
                "GH",
                GHANA_MOC,
                "国土交通省とガーナ道路高速道省との間の道路分野等のPPPプロジェクトに関する協力覚書",
                [S.ROAD],
                "Cooperation on PPP projects in the road sector and other fields.",
            ),
            (
                "TN",
                TUNISIA_MOC,
                "国土交通省とチュニジア外務省との間のインフラ分野の協力に関する覚書",
                [S.OTHER],
                "Cooperation in the infrastructure field.",
            ),
        ):
            meeting = self.ticad7[country]
            self.agreement(
                title,
                {
                    "title_ja": title_ja,
                    "kind": AgreementKind.MOC,
                    "counterpart_country": country,
                    "scope": scope
                    + " MLIT will use it to form projects in Africa and help Japanese firms enter.",
                    "status": AgreementStatus.SIGNED,
                    "signed_on": meeting.date,
                    "signed_at_meeting": meeting,
                    # Signed in public at TICAD7 and announced: 機密性1.
                    "classification": Classification.PUBLIC,
                },
                sectors=sectors,
                organizations=[self.orgs[country]],
                projects=meeting.projects.all(),
            )

        def demo(title, title_ja, country, **values):
            sectors = values.pop("sectors")
            projects = [p for p in self.projects_by_country[country] if p.sector in sectors][:3]
            agreement = self.agreement(
                title,
                {"title_ja": title_ja, "counterpart_country": country} | values,
                sectors=sectors,
                organizations=[self.ministry(country, PORTFOLIO_OF_SECTOR[sectors[0]])],
                projects=projects,
            )
            self.demo_agreements.append(agreement)
            return agreement

        railway_vn = demo(
            "Demo MoC on railway and urban development cooperation with Viet Nam (2014)",
            "デモ ベトナムとの鉄道・都市開発分野の協力覚書（2014年）",
            "VN",
            kind=AgreementKind.MOC,
            scope="Demo: railway and urban development.",
            status=AgreementStatus.IN_FORCE,
            signed_on=D(2014, 6, 10),
            effective_on=D(2014, 6, 10),
            expires_on=D(2019, 6, 9),
            sectors=[S.RAILWAY, S.URBAN_DEVELOPMENT],
        )
        demo(
            "Demo MoC on railway and urban development cooperation with Viet Nam (2018 renewal)",
            "デモ ベトナムとの鉄道・都市開発分野の協力覚書（2018年更新）",
            "VN",
            kind=AgreementKind.MOC,
            scope="Demo: railway and urban development; replaces the 2014 memorandum.",
            status=AgreementStatus.IN_FORCE,
            signed_on=D(2018, 12, 3),
            effective_on=D(2018, 12, 3),
            renewal=Renewal.BY_AGREEMENT,
            signed_at_meeting=self.meetings[("2018-12a", "VN")],
            supersedes=railway_vn,
            sectors=[S.RAILWAY, S.URBAN_DEVELOPMENT],
        )
        demo(
            "Demo MoC on third-country cooperation with Turkey",
            "デモ トルコとの第三国連携に関する協力覚書",
            "TR",
            kind=AgreementKind.MOC,
            scope="Demo: joint pursuit of infrastructure projects in third countries.",
            status=AgreementStatus.SIGNED,
            signed_on=D(2018, 10, 22),
            signed_at_meeting=self.meetings[("2018-10c", "TR")],
            target_countries=["UZ", "KZ", "KE"],
            sectors=[S.URBAN_DEVELOPMENT, S.RAILWAY, S.ROAD],
        )
        demo(
            "Demo MoU on port development cooperation with India",
            "デモ インドとの港湾開発協力に関する了解覚書",
            "IN",
            kind=AgreementKind.MOU,
            scope="Demo: port development and operation.",
            status=AgreementStatus.IN_FORCE,
            signed_on=D(2016, 11, 11),
            effective_on=D(2016, 11, 11),
            # Within 90 days of the day it is loaded, for the expiry reminder.
            expires_on=self.today + datetime.timedelta(days=45),
            renewal=Renewal.BY_AGREEMENT,
            sectors=[S.PORT],
        )
        demo(
            "Demo MoC on disaster prevention cooperation with the Philippines",
            "デモ フィリピンとの防災分野の協力覚書",
            "PH",
            kind=AgreementKind.MOC,
            scope="Demo: flood control and dam rehabilitation.",
            status=AgreementStatus.IN_FORCE,
            signed_on=D(2018, 9, 17),
            effective_on=D(2018, 9, 17),
            signed_at_meeting=self.meetings[("2018-09b", "PH")],
            sectors=[S.DISASTER_PREVENTION, S.WATER],
        )
        demo(
            "Demo joint statement on quality infrastructure with Indonesia",
            "デモ インドネシアとの質の高いインフラに関する共同声明",
            "ID",
            kind=AgreementKind.JOINT_STATEMENT,
            scope="Demo: railway, ports and roads.",
            status=AgreementStatus.SIGNED,
            signed_on=D(2018, 11, 12),
            signed_at_meeting=self.meetings[("2018-11b", "ID")],
            sectors=[S.RAILWAY, S.PORT, S.ROAD],
        )
        demo(
            "Demo LoI on smart city cooperation with Thailand",
            "デモ タイとのスマートシティ協力に関する意図表明書",
            "TH",
            kind=AgreementKind.LOI,
            scope="Demo: smart city pilot projects.",
            status=AgreementStatus.NEGOTIATING,
            signed_on=None,
            sectors=[S.SMART_CITY],
        )
        demo(
            "Demo MoU on road sector cooperation with Kenya",
            "デモ ケニアとの道路分野の協力に関する了解覚書",
            "KE",
            kind=AgreementKind.MOU,
            scope="Demo: road PPP and maintenance.",
            status=AgreementStatus.PROPOSED,
            signed_on=None,
            sectors=[S.ROAD],
        )

    # -- users and follow-ups ------------------------------------------------------------------

    def load_users(self):
        user_model = get_user_model()
        group, created = Group.objects.get_or_create(name=DATA_ENTRY)
        self.tally.add(Group, "created" if created else "present")
        self.users = []
        for n in range(1, 5):
            username = f"demo-staff-{n}"
            user = self.upsert(
                user_model,
                {"username": username},
                {
                    "first_name": "Demo",
                    "last_name": f"Staff {n}",
                    "email": f"demo-staff-{n}@example.invalid",
                    "is_staff": True,
                    "is_active": True,
                },
                # Demo accounts must never open a session.
                on_create=lambda instance: instance.set_unusable_password(),
            )
            if self.writes(user) and not user.groups.filter(pk=group.pk).exists():
                user.groups.add(group)
            self.users.append(user)

    def load_classified(self):
        """機密性3 (need-to-know): a MoC still under negotiation with Egypt and the
        meeting that discussed it, read only by the members of the demo negotiation
        team (demo-staff-1) and superusers. Outside the published figures: the meeting
        was held in 2019 by a senior official, which is not top sales."""
        team, created = Group.objects.get_or_create(name=DEMO_NEGOTIATION_TEAM)
        self.tally.add(Group, "created" if created else "present")
        negotiator = self.users[0]
        if (self.writes(negotiator) or created) and not negotiator.groups.filter(
            pk=team.pk
        ).exists():
            negotiator.groups.add(team)
        leader, rank = self.leaders["official"]
        mission = self.upsert(
            Mission,
            {"title": "Demo mission 2019-06n – negotiation of a railway MoC: Egypt"},
            {
                "title_ja": "デモミッション 2019-06n 鉄道協力覚書の交渉（エジプト）",
                "leader": leader,
                "leader_rank": rank,
                "kind": MK.OVERSEAS_VISIT,
                "start_date": D(2019, 6, 10),
                "end_date": D(2019, 6, 11),
                "status": MissionStatus.COMPLETED,
                "purpose": "Demo record: negotiate the text of a railway MoC (need-to-know).",
                "summary": "",
                "classification": Classification.NEED_TO_KNOW,
            },
        )
        self.set_m2m(mission, access_groups=[team], sectors=self.sector_rows([S.RAILWAY]))
        portfolio = PORTFOLIO_OF_SECTOR[S.RAILWAY]
        meeting = self.upsert(
            Meeting,
            {"mission": mission, "date": D(2019, 6, 10), "counterpart_country": "EG"},
            {
                "principal": leader,
                "principal_rank": rank,
                "venue_city": COUNTRIES["EG"][2],
                "venue_country": "EG",
                "topics": "Demo: the draft MoC on high-speed railway cooperation.",
                "outcome": "Demo: the two sides agreed on the scope; the text is still open.",
                "classification": Classification.NEED_TO_KNOW,
            },
        )
        self.set_m2m(
            meeting,
            counterparts=[self.minister("EG", portfolio)],
            counterpart_organizations=[self.ministry("EG", portfolio)],
        )
        agreement = self.agreement(
            "Demo MoC on high-speed railway cooperation with Egypt (under negotiation)",
            {
                "title_ja": "デモ エジプトとの高速鉄道協力に関する協力覚書（交渉中）",
                "kind": AgreementKind.MOC,
                "counterpart_country": "EG",
                "scope": "Demo: high-speed railway planning and operation (need-to-know).",
                "status": AgreementStatus.NEGOTIATING,
                "signed_on": None,
                "classification": Classification.NEED_TO_KNOW,
            },
            sectors=[S.RAILWAY],
            organizations=[self.ministry("EG", portfolio)],
        )
        self.set_m2m(agreement, access_groups=[team])

    def load_followups(self):
        today = self.today
        day = datetime.timedelta(days=1)
        counted = self.demo_missions[: len(MISSIONS_2018)]
        pools = [counted, self.demo_meetings, self.demo_agreements, self.projects]
        content_types = {}
        for i in range(36):
            pool = pools[i % len(pools)]
            target = pool[(i * 7) % len(pool)]
            done_on = None
            if i < 9:  # open and overdue
                status, due_on = FollowUpStatus.OPEN, today - (3 + 7 * i) * day
            elif i < 16:  # open and due within the week
                status, due_on = FollowUpStatus.OPEN, today + (i - 9) * day
            elif i < 24:  # open, due later
                status, due_on = FollowUpStatus.OPEN, today + 14 * (i - 15) * day
            elif i < 32:
                status, due_on = FollowUpStatus.DONE, today - 10 * (i - 23) * day
                done_on = due_on - 3 * day
            else:
                status, due_on = FollowUpStatus.CANCELLED, today - 20 * (i - 31) * day
            model = type(target)
            if model not in content_types:
                content_types[model] = ContentType.objects.get_for_model(model)
            self.upsert(
                FollowUp,
                {
                    "title": f"Demo follow-up {i + 1:02d}: {FOLLOWUP_ACTIONS[i % len(FOLLOWUP_ACTIONS)]}"
                },
                {
                    "content_type": content_types[model],
                    "object_id": target.pk,
                    "description": "Demo record.",
                    "assignee": self.users[i % len(self.users)],
                    "due_on": due_on,
                    "status": status,
                    "done_on": done_on,
                },
            )

    def load_notes(self):
        """A few dated notes (a journal) on each kind of record, in both languages."""
        counted = self.demo_missions[: len(MISSIONS_2018)]
        demo_orgs = [org for org in self.orgs.values() if "Demo" in org.name]
        demo_people = [person for person in self.ministers.values() if "Demo" in person.name]
        pools = [
            counted,
            self.demo_meetings,
            self.demo_agreements,
            self.projects,
            demo_orgs,
            demo_people,
        ]
        content_types = {}
        for i in range(18):
            pool = pools[i % len(pools)]
            if not pool:
                continue
            target = pool[(i * 5) % len(pool)]
            model = type(target)
            if model not in content_types:
                content_types[model] = ContentType.objects.get_for_model(model)
            self.upsert(
                Note,
                {"text": f"デモ Demo note {i + 1:02d}: {NOTE_TEXTS[i % len(NOTE_TEXTS)]}"},
                {
                    "content_type": content_types[model],
                    "object_id": target.pk,
                    "author": self.users[i % len(self.users)],
                },
            )


def load_demo(*, today=None, reset=False):
    """Load (or complete) the demo data set in one transaction; with `reset`, also bring
    the demo rows already present back to their demo values. Returns the Tally."""
    loader = DemoLoader(today or timezone.localdate(), reset=reset)
    with transaction.atomic():
        loader.run()
    return loader.tally
