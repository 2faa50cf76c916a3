from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    FOREIGN_GOVERNMENT = "foreign_government", _("Foreign government agency")
    JAPANESE_GOVERNMENT = "japanese_government", _("Japanese government agency")
    JAPANESE_PUBLIC_BODY = "japanese_public_body", _("Japanese public body")
    JAPANESE_COMPANY = "japanese_company", _("Japanese company")
    FOREIGN_COMPANY = "foreign_company", _("Foreign company")
    INTERNATIONAL_ORGANIZATION = "international_organization", _("International organisation")
    OTHER = "other", _("Other")


# Kinds that count as "Japanese firms" when a project is won (JOIN, JRTT, UR... included).
JAPANESE_WINNER_KINDS = (OrganizationKind.JAPANESE_COMPANY, OrganizationKind.JAPANESE_PUBLIC_BODY)
JAPANESE_KINDS = (
    OrganizationKind.JAPANESE_GOVERNMENT,
    OrganizationKind.JAPANESE_PUBLIC_BODY,
    OrganizationKind.JAPANESE_COMPANY,
)
