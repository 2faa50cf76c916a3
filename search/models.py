from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from search.choices import AlertFrequency


class SavedFilter(models.Model):
    """A list's filters kept under a name: reopened in one click, private or shared
    with a group, and optionally an e-mail of the records that match and are new or
    changed since the last one (search.services)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    name = models.CharField(_("name"), max_length=200)
    resource = models.CharField(
        _("list"), max_length=64, help_text=_("The list, as in its URL: meetings, projects…")
    )
    filters = models.JSONField(
        _("filters"),
        default=dict,
        blank=True,
        help_text=_('The list\'s query parameters, e.g. {"country": ["VN"], "year": 2019}.'),
    )
    shared_with = models.ForeignKey(
        Group,
        verbose_name=_("shared with"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: only its owner sees it."),
    )
    alert = models.CharField(
        _("e-mail of new and changed records"),
        max_length=8,
        choices=AlertFrequency.choices,
        default=AlertFrequency.NONE,
        blank=True,
    )
    alerted_until = models.DateTimeField(
        _("changes e-mailed until"),
        null=True,
        blank=True,
        help_text=_("The next e-mail lists the records changed after this time."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["resource", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "resource", "name"],
                name="saved_filter_name_unique_per_owner_and_list",
                violation_error_message=_(
                    "You already have a saved filter of this name for this list."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class SavedFilterDigest(models.Model):
    """The one alert e-mail a user gets on a day, recorded in the transaction that sends
    it: a job that runs twice, or twice at once, sends it once (as follow-up reminders)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saved_filter_digests",
    )
    day = models.DateField(_("day"))
    item_count = models.PositiveIntegerField(_("records listed"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved-filter e-mail")
        verbose_name_plural = _("saved-filter e-mails")
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"],
                name="saved_filter_digest_once_per_user_and_day",
                violation_error_message=_(
                    "This user's saved-filter e-mail for this day was already sent."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.day}"
