"""Japanese is the default language: every string of ours has a Japanese translation."""

from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import translation
from django_countries.fields import CountryField

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES"
OUR_APPS = (
    "core",
    "accounts",
    "contacts",
    "projects",
    "missions",
    "agreements",
    "followups",
    "exports",
    "webhooks",
)


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(CATALOGUE / "django.po"))


def test_no_japanese_string_is_left_empty_or_fuzzy(po):
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_compiled_catalogue_matches_the_source(po):
    compiled = polib.mofile(str(CATALOGUE / "django.mo"))
    assert {entry.msgid: entry.msgstr for entry in compiled if not entry.msgid_plural} == {
        entry.msgid: entry.msgstr for entry in po.translated_entries() if not entry.msgid_plural
    }


def _labels_of_our_models():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model.__name__.startswith("Historical"):
            continue
        yield model._meta.verbose_name
        yield model._meta.verbose_name_plural
        for field in model._meta.get_fields():
            if not isinstance(field, models.Field) or isinstance(field, GenericForeignKey):
                continue
            if not field.auto_created:
                yield field.verbose_name
            # Country names come translated by django-countries.
            if not isinstance(field, CountryField):
                for _value, label in field.flatchoices or ():
                    yield label


def test_every_model_field_and_choice_label_reads_in_japanese(po):
    # Same in both languages is fine only where our catalogue says so (e.g. "PPP").
    same_on_purpose = {
        entry.msgid for entry in po.translated_entries() if entry.msgid == entry.msgstr
    }
    untranslated = set()
    for label in _labels_of_our_models():
        with translation.override("en"):
            english = str(label)
        with translation.override("ja"):
            japanese = str(label)
        if japanese == english and english not in same_on_purpose:
            untranslated.add(english)
    assert sorted(untranslated) == []
