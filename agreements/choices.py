from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    MOC = "moc", _("Memorandum of Cooperation")
    MOU = "mou", _("Memorandum of Understanding")
    LOI = "loi", _("Letter of Intent")
    JOINT_STATEMENT = "joint_statement", _("Joint statement")
    AGREEMENT = "agreement", _("Agreement")
    OTHER = "other", _("Other")


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded")


# Every status reached only by signing.
SIGNED_STATUSES = (
    AgreementStatus.SIGNED,
    AgreementStatus.IN_FORCE,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.SUPERSEDED,
)


class Renewal(models.TextChoices):
    NONE = "none", _("No renewal")
    AUTOMATIC = "automatic", _("Automatic renewal")
    BY_AGREEMENT = "by_agreement", _("Renewal by agreement")


class DocumentLanguage(models.TextChoices):
    JAPANESE = "ja", _("Japanese")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other language")
