"""Records for the hostile-input tests: a few of every kind, linked to one another as
real ones are, so that every resource has ids that exist."""

from core.models import Tag
from tests import factories


def make_records():
    """A few records of every kind, linked to one another as real ones are."""
    factories.OrganizationFactory(
        name="Ministry of Land, Infrastructure, Transport and Tourism", country="JP"
    )
    organizations = factories.OrganizationFactory.create_batch(3)
    companies = factories.JapaneseCompanyFactory.create_batch(2)
    people = factories.PersonFactory.create_batch(3)
    for person, organization in zip(people, organizations, strict=True):
        factories.PostFactory(person=person, organization=organization)
    projects = factories.ProjectFactory.create_batch(3, owner=organizations[0])
    for project, company in zip(projects, companies * 2, strict=False):
        factories.ProjectParticipantFactory(project=project, organization=company)
    previous = factories.WatchListFactory(edition_year=2018)
    current = factories.WatchListFactory(edition_year=2019, previous=previous)
    for project in projects:
        factories.WatchListEntryFactory(watch_list=previous, project=project)
        factories.WatchListEntryFactory(watch_list=current, project=project)
    factories.OrderFigureFactory(year=2018)
    factories.OrderFigureFactory(year=2020, kind="target")
    missions = factories.MissionFactory.create_batch(
        2, leader=people[0], delegation=companies, sectors=["railway", "road"]
    )
    meetings = [
        factories.MeetingFactory(
            mission=mission,
            counterparts=people[1:],
            counterpart_organizations=organizations,
            projects=projects,
        )
        for mission in missions
    ]
    agreements = [
        factories.AgreementFactory(
            signed_at_meeting=meetings[0],
            counterpart_organizations=organizations[:1],
            sectors=["railway"],
            projects=projects[:1],
        ),
        factories.AgreementFactory(),
    ]
    for agreement in agreements:
        factories.AgreementDocumentFactory(agreement=agreement)
    for target in (missions[0], meetings[0], agreements[0], projects[0]):
        factories.FollowUpFactory(target=target)
    for target in (
        missions[0],
        meetings[0],
        agreements[0],
        projects[0],
        organizations[0],
        people[0],
    ):
        factories.NoteFactory(target=target)
    ports, ghana = Tag.objects.create(name="港湾"), Tag.objects.create(name="Ghana ports")
    for record in (missions[0], meetings[0], agreements[0], projects[0], organizations[0]):
        record.tags.add(ports, ghana)
