"""A user's permissions, kept in the cache between requests.

Django's ModelBackend reads the permissions of a user in two queries (their own, their
groups'), once per request, and every API request checks them. They change rarely: the
cache (shared by the app servers when CACHE_URL is set) keeps them, per user, under a
generation that every change of who holds which permission moves on, so that a change
is seen by the next request of every server:

- a user joins or leaves a group, is given or loses a permission of their own, a group
  gains or loses one (m2m_changed, whatever the side it is changed from);
- a group, a permission or a content type is saved or deleted (which deletes the rows
  that gave it);
- migrations ran (the roles' permissions are set there, by historical models).

Each move is made at once and again when the transaction commits, so that no request
reads the old rights in between and keeps them. A change written past the ORM (raw
SQL, bulk_create on the link tables) sends no signal: it is seen after TIMEOUT at the
latest, or at once after `forget_all()`; so does a row of the tables that link users,
groups and permissions deleted or created directly (`User.groups.through.objects…`),
for which Django sends no signal.

Only with a cache every process shares (CACHE_URL: Redis): with a cache per process, a
change made through one worker would not reach the others, and each request reads the
permissions from the database, as Django does. PERMISSIONS_CACHE (True/False) overrides
the choice.

ModelBackend reads what is filled in here (its per-request caches on the user), so
that the checks themselves are Django's, unchanged: an inactive user has no
permission, a superuser every one."""

import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

GENERATION = "accounts:permissions:generation"
# The longest a change made past the ORM (which no signal reports) goes unseen.
TIMEOUT = 300


# Caches kept in each process: a change seen by one process only.
_PER_PROCESS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def enabled() -> bool:
    chosen = getattr(settings, "PERMISSIONS_CACHE", None)
    if chosen is not None:
        return bool(chosen)
    return settings.CACHES["default"]["BACKEND"] not in _PER_PROCESS


def _key(user) -> str:
    return f"accounts:permissions:{user.pk}:{int(user.is_superuser)}"


def load(user):
    """Fill in the permissions ModelBackend keeps on `user` for the request, from the
    cache (one round trip) or, failing that, from the database (its two queries)."""
    if user is None or not user.is_authenticated or not user.is_active or user.pk is None:
        return
    if not enabled():
        return
    if hasattr(user, "_user_perm_cache") and hasattr(user, "_group_perm_cache"):
        return
    key = _key(user)
    found = cache.get_many([GENERATION, key])
    generation = found.get(GENERATION)
    kept = found.get(key)
    if generation is not None and kept is not None and kept[0] == generation:
        user._user_perm_cache = set(kept[1])
        user._group_perm_cache = set(kept[2])
        return
    if generation is None:
        generation = new_generation()
    backend = ModelBackend()
    own = backend.get_user_permissions(user)
    groups = backend.get_group_permissions(user)
    cache.set(key, (generation, sorted(own), sorted(groups)), TIMEOUT)


def new_generation(key: str = GENERATION):
    """A generation no entry was kept under (one that an eviction lost included).
    `key`: the generation's own key in the cache (core.classification keeps another,
    for what readers may not see, by the same means)."""
    generation = time.time_ns()
    if not cache.add(key, generation, None):
        generation = cache.get(key, generation)
    return generation


def move_on(key: str = GENERATION):
    try:
        cache.incr(key)
    except ValueError:  # not in the cache (never set, or evicted): a new one
        cache.set(key, time.time_ns(), None)


def move_on_now_and_at_commit(key: str = GENERATION, using=None):
    """Move the generation on at once and again when the transaction commits, so that
    no request reads the old state in between and keeps it."""
    move_on(key)
    connection = transaction.get_connection(using) if using else transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(lambda: move_on(key), using=using)


def forget_all(**kwargs):
    """Every user's kept permissions are out of date (a signal's receiver)."""
    move_on_now_and_at_commit(GENERATION, kwargs.get("using"))


def connect():
    """Connect forget_all to every change of who holds which permission."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

    user_model = get_user_model()
    links = (user_model.groups.through, user_model.user_permissions.through)
    links += (Group.permissions.through,)
    for link in links:
        m2m_changed.connect(forget_all, sender=link, dispatch_uid=f"permissions-m2m-{link}")
    for model in (Group, Permission, ContentType):
        post_save.connect(forget_all, sender=model, dispatch_uid=f"permissions-save-{model}")
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"permissions-del-{model}")
    post_migrate.connect(forget_all, dispatch_uid="permissions-migrate")
