from django.utils.translation import get_language


def localized(english: str, japanese: str) -> str:
    """The name in the reader's language, falling back to the other one."""
    if (get_language() or "").startswith("ja"):
        return japanese or english
    return english or japanese
