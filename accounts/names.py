"""A user as staff name a colleague: the person's name, not the user name."""

from django.utils.translation import get_language


def display_name(user) -> str:
    """山田 花子 in Japanese (family name first), Hanako Yamada in English; the user name
    when no name is recorded."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if not (first or last):
        return user.get_username()
    if (get_language() or "ja").startswith("ja"):
        return f"{last} {first}".strip()
    return f"{first} {last}".strip()
