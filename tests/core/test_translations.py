"""Japanese is the default language: every string of ours has a Japanese translation."""

import os
import shutil
import subprocess
import sys
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


# What makemessages would find today, not only what the catalogue already holds: a
# string marked for translation but never extracted would otherwise show in English.
_NOT_SOURCE = (".venv", ".git", "var", "bench", "tests", "__pycache__", "*.pyc", "locale")


def test_every_string_marked_for_translation_is_in_the_catalogue(po, tmp_path):
    if shutil.which("xgettext") is None:
        # CI (.ci/run) installs gettext and sets REQUIRE_GETTEXT: there it must run.
        message = "needs GNU gettext to extract the strings: apt-get install gettext"
        if os.environ.get("REQUIRE_GETTEXT"):
            pytest.fail(message)
        pytest.skip(message)
    source = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "ja", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po"))
    translated = {(entry.msgctxt, entry.msgid) for entry in po.translated_entries()}
    missing = sorted(
        entry.msgid for entry in extracted if (entry.msgctxt, entry.msgid) not in translated
    )
    assert missing == [], "run `make messages` and translate these"
