"""The serving process hides what it loaded at its start from the garbage collector's
full collections and collects young objects less often (core.runtime), so that the
collector stops costing 100 ms of a request."""

import gc
import importlib
import sys

from core import runtime


def test_the_server_freezes_what_it_loaded_at_its_start(monkeypatch):
    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect"))
    monkeypatch.setattr(gc, "set_threshold", lambda *limits: calls.append(limits))
    monkeypatch.setattr(runtime, "get_resolver", lambda: _Resolver(calls))
    if "config.wsgi" in sys.modules:
        importlib.reload(sys.modules["config.wsgi"])
    else:
        importlib.import_module("config.wsgi")
    assert calls == ["urls", "collect", "freeze", runtime.GC_THRESHOLDS]


class _Resolver:
    def __init__(self, calls):
        self.calls = calls

    @property
    def url_patterns(self):
        self.calls.append("urls")
        return []
