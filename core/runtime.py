"""The serving process's garbage collector.

CPython's full (generation 2) collection walks every container object the process
holds, and a Django process holds some 130,000 of them from its start alone: modules,
classes, functions, URL patterns, the admin's and DRF's machinery. On the two-core
machine of `make bench` each full collection took 65 to 235 ms, and one request in
ten or so paid for one: the 95th percentile of a 40 ms list was three to four times
its median. What exists once the project is loaded lives as long as the process, so
it is moved out of the collector's sight (gc.freeze); later full collections walk
only what requests created since.

A page of 1,000 records also allocates about a million objects that live until the
response is sent. With CPython's default thresholds (700, 10, 10) the young
collections walked them again and again: half the time of a page of 1,000 meetings.
The serving process collects young objects less often (GC_THRESHOLDS); cycles are
still found, a few hundred kilobytes of garbage later."""

import gc

from django.urls import get_resolver

GC_THRESHOLDS = (50_000, 20, 10)


def prepare_serving_process():
    """Import everything the URLs lead to (views, serialisers, filter sets, admin),
    collect what the imports left over, freeze the rest, and set the collector's
    thresholds. Call once the project is loaded, in each serving process."""
    get_resolver().url_patterns  # noqa: B018 (imports every URL module and view)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
