"""The analysts' pages' long select boxes: core.widgets', shared with the admin."""

from core.widgets import LongSelect, LongSelectMultiple

__all__ = ["LongSelect", "LongSelectMultiple"]
