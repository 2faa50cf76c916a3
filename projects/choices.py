from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Upstream (川上) to downstream (川下), in order."""

    IDENTIFICATION = "identification", _("Project identification")
    MASTER_PLAN = "master_plan", _("Master plan")
    FEASIBILITY_STUDY = "feasibility_study", _("Feasibility study")
    PROCUREMENT = "procurement", _("Procurement")
    CONSTRUCTION = "construction", _("Construction")
    OPERATION = "operation", _("Operation and maintenance")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WON_JAPANESE = "won_japanese", _("Won by a Japanese firm")
    WON_FOREIGN = "won_foreign", _("Won by a foreign firm")
    DROPPED = "dropped", _("Dropped")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")


WON_STATUSES = (ProjectStatus.WON_JAPANESE, ProjectStatus.WON_FOREIGN)


class Scheme(models.TextChoices):
    YEN_LOAN = "yen_loan", _("Yen loan")
    GRANT_AID = "grant_aid", _("Grant aid")
    TECHNICAL_COOPERATION = "technical_cooperation", _("Technical cooperation")
    PPP = "ppp", _("PPP")
    PRIVATE = "private", _("Private")
    JOIN_INVESTMENT = "join_investment", _("JOIN investment")
    OTHER = "other", _("Other")


class ParticipantRole(models.TextChoices):
    CONTRACTOR = "contractor", _("Contractor")
    CONSULTANT = "consultant", _("Consultant")
    OPERATOR = "operator", _("Operator")
    INVESTOR = "investor", _("Investor")
    LENDER = "lender", _("Lender")
    SUPPORTER = "supporter", _("Supporter")


class WatchListOutcome(models.TextChoices):
    CONTINUED = "continued", _("Continued")
    WON_JAPANESE = "won_japanese", _("Won by a Japanese firm")
    WON_FOREIGN = "won_foreign", _("Won by a foreign firm")
    REMOVED = "removed", _("Removed")


class FigureKind(models.TextChoices):
    ACTUAL = "actual", _("Actual")
    TARGET = "target", _("Target")
