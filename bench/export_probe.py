"""The CSV export of every meeting, in a process of its own (python -m bench.export_probe,
started by bench.measure): the streamed response is read chunk by chunk, as a client
reads it, and the process's peak resident memory is compared with what it was
before the request. Prints one JSON line."""

import json
import os
import resource
import sys
import time

from bench.__main__ import _configure_environment


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    _configure_environment()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {os.environ['BENCH_TOKEN']}")
    # Everything imported and warmed up before the baseline.
    client.get("/api/v1/meetings/?format=csv&country=VN&year=2019").getvalue()
    rss = [round(_rss_mb())]
    started = time.perf_counter()
    rows = size = 0
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(None)  # not the SQL: a million rows' worth would be the peak
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get("/api/v1/meetings/?format=csv")
        assert response.status_code == 200, response.status_code
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
            if rows // 250_000 != (rows - chunk.count(b"\n")) // 250_000:
                rss.append(round(_rss_mb()))
        response.close()
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows - 1,  # the header
                "seconds": seconds,
                "megabytes": size / 2**20,
                # The process's highest resident memory, over what it held before the
                # request (ru_maxrss after the warm-up could hide a growth below it).
                "peak_mb": peak_kb / 1024 - rss[0],
                "rss_mb": "→".join(str(value) for value in rss),
                "queries": len(queries),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
