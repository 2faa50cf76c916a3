"""Which characters a text may hold, decided once for every text field of our records.

Any character but the C0 control characters (U+0000 to U+001F) other than tab, line
feed and carriage return, and but lone surrogate halves:

- carriage return stays because a browser sends a textarea's line breaks as CR LF
  (the HTML standard's form submission), so every multi-line text typed in the admin
  holds them; the three kept are exactly the control characters XML 1.0, hence an
  Excel cell, can hold;
- NUL is refused (PostgreSQL cannot store it) with Django's own message, the one its
  form fields and the admin's parameter check (core.middleware) give;
- a lone surrogate (JSON can carry `"\\ud800"`) cannot be encoded for any database.

The rule is one validator, added when Django starts (CoreConfig.ready) to every
CharField and TextField of the project's own apps. So full_clean() (the admin's forms,
the services, imports) and the API's model serializers, which take a model field's
validators as their own, refuse the same characters with the same message, on the
field that holds them. It is not in the fields' declarations, so no migration
carries it.
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
NUL_MESSAGE = _("Null characters are not allowed.")


@deconstructible
class TextCharactersValidator:
    message = _(
        "Remove the invisible character %(character)s at position %(position)s: besides "
        "tabs and line breaks, a text may hold no control character."
    )
    code = "control_character"

    def __call__(self, value):
        if not isinstance(value, str):  # a country, a list of them: checked as codes
            return
        found = FORBIDDEN_CHARACTERS.search(value)
        if found is None:
            return
        if found.group() == "\x00":
            raise ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")
        raise ValidationError(
            self.message,
            code=self.code,
            params={"character": f"U+{ord(found.group()):04X}", "position": found.start() + 1},
        )

    def __eq__(self, other):
        return isinstance(other, TextCharactersValidator)


def is_project_app(app_config) -> bool:
    """An app of this repository (its package at the top of the checkout), not
    Django's nor a library's."""
    return Path(app_config.path).resolve().parent == Path(settings.BASE_DIR).resolve()


def apply_text_rule(app_configs):
    """Add the rule to every CharField and TextField (their subclasses included: e-mail
    addresses, URLs, country codes) of the models of these apps."""
    rule = TextCharactersValidator()
    for app_config in app_configs:
        for model in app_config.get_models(include_auto_created=True):
            for field in model._meta.local_fields:
                if isinstance(field, models.CharField | models.TextField) and (
                    rule not in field.validators
                ):
                    # The field's validators, computed once and cached: the rule joins
                    # them without entering the field's declaration (deconstruct()).
                    field.validators.append(rule)
