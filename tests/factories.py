"""factory_boy factories for every record.

Each factory's defaults make a record that passes full_clean(), so that a rule test
starts from a valid record and changes exactly the one thing the rule forbids.
"""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from agreements.choices import AgreementKind, AgreementStatus, DocumentLanguage
from agreements.models import Agreement, AgreementDocument
from contacts.choices import OrganizationKind
from contacts.models import Organization, Person, Post
from core.regions import Region
from core.sectors import SectorCode
from followups.models import FollowUp
from missions.choices import LeaderRank, MissionKind, MissionStatus
from missions.models import Meeting, Mission
from notes.models import Note
from projects.choices import FigureKind, ParticipantRole, ProjectStatus, Stage
from projects.models import (
    OrderFigure,
    Project,
    ProjectParticipant,
    WatchList,
    WatchListEntry,
)

# The smallest file a PDF reader opens: enough for an upload, not a real document.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _add_many(field_name):
    """A post_generation hook that adds the given objects to a many-to-many field."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field_name).add(*extracted)

    return factory.PostGeneration(hook)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    # No usable password by default: hashing one costs a noticeable fraction of a
    # second per user. UserFactory(password="...") hashes the given one; tests log
    # in with force_login.
    password = factory.django.Password(None)


# contacts


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Ministry of Transport {n}")
    kind = OrganizationKind.FOREIGN_GOVERNMENT
    country = "VN"


class JapaneseCompanyFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Japan Railway Engineering {n}")
    kind = OrganizationKind.JAPANESE_COMPANY
    country = "JP"


class JapaneseGovernmentFactory(OrganizationFactory):
    name = factory.Sequence(
        lambda n: f"Ministry of Land, Infrastructure, Transport and Tourism {n}"
    )
    kind = OrganizationKind.JAPANESE_GOVERNMENT
    country = "JP"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Official {n}")


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Director {n}")
    start_date = datetime.date(2018, 1, 1)
    end_date = None


# projects


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Urban Railway Line {n}")
    country = "VN"
    sector = SectorCode.RAILWAY
    stage = Stage.FEASIBILITY_STUDY
    status = ProjectStatus.ACTIVE


class ProjectParticipantFactory(DjangoModelFactory):
    class Meta:
        model = ProjectParticipant

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SubFactory(JapaneseCompanyFactory)
    role = ParticipantRole.CONTRACTOR


class WatchListFactory(DjangoModelFactory):
    class Meta:
        model = WatchList

    # Years far from the real editions', so that a test naming 2018 never collides.
    edition_year = factory.Sequence(lambda n: 1900 + n)
    name = factory.LazyAttribute(lambda o: f"Action Plan {o.edition_year}")
    previous = None


class WatchListEntryFactory(DjangoModelFactory):
    class Meta:
        model = WatchListEntry

    watch_list = factory.SubFactory(WatchListFactory)
    project = factory.SubFactory(ProjectFactory)
    region = Region.SOUTHEAST_ASIA


class OrderFigureFactory(DjangoModelFactory):
    class Meta:
        model = OrderFigure

    year = factory.Sequence(lambda n: 1900 + n)  # far from the years tests name
    amount_jpy = 10_000_000_000_000
    kind = FigureKind.ACTUAL


# missions


class MissionFactory(DjangoModelFactory):
    class Meta:
        model = Mission
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Minister's visit {n}")
    leader = factory.SubFactory(PersonFactory)
    leader_rank = LeaderRank.MINISTER
    kind = MissionKind.OVERSEAS_VISIT
    start_date = datetime.date(2018, 5, 1)
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=3))
    status = MissionStatus.PLANNED
    delegation = _add_many("delegation")
    sectors = _add_many("sectors")


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    mission = factory.SubFactory(MissionFactory)
    date = factory.LazyAttribute(lambda o: o.mission.start_date)
    counterpart_country = "VN"
    venue_city = "Hanoi"
    venue_country = "VN"
    counterparts = _add_many("counterparts")
    counterpart_organizations = _add_many("counterpart_organizations")
    projects = _add_many("projects")


# agreements


class AgreementFactory(DjangoModelFactory):
    """A proposed agreement: no dates yet, signed for Japan by a ministry."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Memorandum of Cooperation in Infrastructure {n}")
    kind = AgreementKind.MOC
    japanese_signatory = factory.SubFactory(JapaneseGovernmentFactory)
    counterpart_country = "VN"
    status = AgreementStatus.PROPOSED
    signed_on = None
    effective_on = None
    expires_on = None
    counterpart_organizations = _add_many("counterpart_organizations")
    sectors = _add_many("sectors")
    projects = _add_many("projects")


class AgreementDocumentFactory(DjangoModelFactory):
    class Meta:
        model = AgreementDocument

    agreement = factory.SubFactory(AgreementFactory)
    file = factory.LazyFunction(lambda: ContentFile(MINIMAL_PDF, name="agreement.pdf"))
    language = DocumentLanguage.ENGLISH
    description = "Signed text"


# followups


class FollowUpFactory(DjangoModelFactory):
    """An open follow-up on a mission; pass target=<any followable record> to change."""

    class Meta:
        model = FollowUp
        exclude = ("target",)

    target = factory.SubFactory(MissionFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    object_id = factory.SelfAttribute("target.pk")
    title = factory.Sequence(lambda n: f"Send the feasibility study report {n}")
    assignee = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


# notes


class NoteFactory(DjangoModelFactory):
    """A note on a mission; pass target=<any notable record> to change."""

    class Meta:
        model = Note
        exclude = ("target",)

    target = factory.SubFactory(MissionFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    object_id = factory.SelfAttribute("target.pk")
    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Called the embassy about the port survey {n}")
