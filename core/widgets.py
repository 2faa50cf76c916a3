"""Select boxes of many options (the 250 countries) written in one pass: Django renders
each option through a template, which takes about 0.1 s for a list of countries."""

from django.forms import Select, SelectMultiple
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class _OnePass:
    def render(self, name, value, attrs=None, renderer=None):
        if value is None:
            value = ()
        elif isinstance(value, str | int):
            value = (value,)
        chosen = {str(item) for item in value}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (code, mark_safe(" selected") if str(code) in chosen else "", label)
                for code, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}{}>{}</select>',
            name,
            mark_safe(" multiple") if self.allow_multiple_selected else "",
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class LongSelect(_OnePass, Select):
    pass


class LongSelectMultiple(_OnePass, SelectMultiple):
    pass
