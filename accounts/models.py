import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A member of the bureau's staff (or an administrator)."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the interface for this user."),
    )
    # Who was given which rights, and by whom: the groups too. A login is no change,
    # and no copy of a password hash is kept (nor can a revert bring one back).
    history = HistoricalRecords(excluded_fields=["last_login", "password"], m2m_fields=["groups"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")


class APIToken(models.Model):
    """A key with which another ministry tool calls the API on behalf of a user.

    Only a hash of the key is stored; the key itself is shown once, at creation."""

    PREFIX_LENGTH = 8

    name = models.CharField(_("name"), max_length=100, help_text=_("Which tool uses this token."))
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("The token acts with this user's permissions, never more."),
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(
        _("read-write"), default=False, help_text=_("Unticked, the token can only read.")
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who issued, widened, extended or revoked a key. Each use is no change, and the
    # key's hash is not copied.
    history = HistoricalRecords(excluded_fields=["last_used_at", "key_hash"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        # Keys are long random strings, so a fast hash is as safe as a slow one.
        return hashlib.sha256(key.encode()).hexdigest()

    def issue_key(self) -> str:
        """Give this token a new key and return it; the caller shows it once."""
        key = secrets.token_urlsafe(32)
        self.prefix = key[: self.PREFIX_LENGTH]
        self.key_hash = self.hash_key(key)
        return key

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
