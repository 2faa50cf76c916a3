"""JSON request bodies, refused when nested deeper than any request of the API can be.

Python's json module parses nested arrays and objects by recursion, counted against
the interpreter's recursion limit (1,000 frames, some 60 to 100 of them already taken
by the server and Django when the body is parsed): a body nested 900-odd levels deep
raised RecursionError, a server error. The deepest request the API takes is a mission
with its meetings and their lists of ids (4 levels; 5 with a related record given as
`{"id": …}`): the depth is measured before parsing, without recursion, and anything
deeper than MAX_DEPTH is a 400.
"""

import itertools
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# Twice what the deepest request needs, so that a client wrapping values a little
# differently is not refused for depth.
MAX_DEPTH = 8

# A JSON string: no quote inside but escaped ones. One left unclosed runs to the end of
# the text (a parser stops there), so that every quote starts a match: were a match
# to fail, re.sub would try again from each later quote, and `"\"\"\"…` would cost
# the square of its length.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*\\?(?:"|\Z)', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether the arrays and objects of `text` nest more than `limit` levels (brackets
    inside strings do not count). Exact for valid JSON; for invalid JSON exact up to its
    first error, which is as far as a parser goes."""
    if text.count("[") + text.count("{") <= limit:
        return False  # not enough brackets to nest that deep: most bodies stop here
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, with the depth checked first."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
            if nested_deeper_than(text, MAX_DEPTH):
                raise ParseError(
                    _("The JSON is nested more than %(depth)d levels deep: no request needs that.")
                    % {"depth": MAX_DEPTH}
                )
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as error:  # bytes that are not of the charset, JSON that is not
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
