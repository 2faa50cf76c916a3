"""The API served as the README's production section serves it (python -m bench.served,
started by bench.measure): gunicorn with config/gunicorn.conf.py (its workers and
threads, DEBUG off, token authentication; the throttles raised so that it measures
serving), next to the floor (bench/floor_app.py: the same JSON bytes from raw psycopg
and orjson) under the same gunicorn settings. Clients on kept connections, at
concurrency 4 and 16, alternate between the two servers case by case, two rounds, so
that both meet the same machine. Prints one JSON line: a result per case, concurrency
and server."""

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.__main__ import _configure_environment

ROOT = Path(__file__).resolve().parent.parent
API_PORT = int(os.environ.get("BENCH_PORT", "18029"))
FLOOR_PORT = API_PORT + 1
CONCURRENCIES = (4, 16)
PAGES = range(1, 6)


def _cases(meeting_ids: list[int]) -> list[dict]:
    """Each case: the API's paths, the floor's (None: no floor), requested in turn."""

    def pages(resource, size):
        return (
            [f"/api/v1/{resource}/?page_size={size}&page={page}" for page in PAGES],
            [f"/{resource}/?page_size={size}&page={page}" for page in PAGES],
        )

    return [
        {"name": "meetings_100", "paths": pages("meetings", 100)},
        {"name": "meetings_1000", "paths": pages("meetings", 1000)},
        {"name": "projects_1000", "paths": pages("projects", 1000)},
        {
            "name": "meetings_filtered",
            "paths": (
                [
                    f"/api/v1/meetings/?country={country}&year=2019"
                    for country in ("GH", "VN", "ID", "PH", "IN")
                ],
                None,
            ),
        },
        {
            "name": "meeting_detail",
            "paths": ([f"/api/v1/meetings/{pk}/" for pk in meeting_ids], None),
        },
        {
            "name": "statistics",
            "paths": (
                [f"/api/v1/reports/engagements/?year={year}" for year in (2017, 2018, 2019)],
                None,
            ),
        },
    ]


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _load(port: int, paths: list[str], headers: dict, concurrency: int, seconds: float):
    """`concurrency` clients, each on a connection of its own kept open, requesting
    `paths` in turn for `seconds`: (latencies, elapsed seconds, failures)."""
    latencies: list[float] = []
    failures: list[str] = []
    start = time.perf_counter()
    stop_at = start + seconds

    def client(offset: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        index = offset
        while (started := time.perf_counter()) < stop_at:
            path = paths[index % len(paths)]
            index += 1
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(f"{path}: {response.status}")
            latencies.append(time.perf_counter() - started)  # list.append is atomic
        connection.close()

    clients = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    return latencies, time.perf_counter() - start, failures


def _warm(port: int, path: str, headers: dict):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}: {body[:300]!r}")


def _summary(latencies: list[float], elapsed: float) -> dict:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "per_s": len(ordered) / elapsed,
        "p50_ms": _percentile(ordered, 0.50) * 1000,
        "p95_ms": _percentile(ordered, 0.95) * 1000,
        "p99_ms": _percentile(ordered, 0.99) * 1000,
        "samples_ms": [round(latency * 1000, 2) for latency in ordered],
    }


def _start(port: int, *application: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "API_THROTTLE_TOKEN": "100000000/hour",
        "API_THROTTLE_USER": "100000000/hour",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--no-control-socket",
         "--access-logfile", "/dev/null", *application],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait(server: subprocess.Popen, port: int):
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(server.stderr.read().decode()[-3000:])
        time.sleep(0.2)


def _stop(server: subprocess.Popen):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()


def main():
    _configure_environment()
    import django

    django.setup()
    from missions.models import Meeting

    seconds = float(os.environ.get("BENCH_SERVED_SECONDS", "10"))
    headers = {"Authorization": f"Token {os.environ['BENCH_TOKEN']}"}
    recent = Meeting.objects.order_by("-date", "id").values_list("id", flat=True)[:1000]
    cases = _cases(list(recent)[::50])
    servers = {"api": (_start(API_PORT), API_PORT)}
    servers["floor"] = (_start(FLOOR_PORT, "bench.floor_app:application"), FLOOR_PORT)
    samples: dict[tuple, list] = {}
    try:
        for server, port in servers.values():
            _wait(server, port)
        for case in cases:  # warm up: every path once on each server
            for kind, paths in zip(("api", "floor"), case["paths"], strict=True):
                for path in paths or ():
                    _warm(servers[kind][1], path, headers)
        for _round in range(2):
            for case in cases:
                for concurrency in CONCURRENCIES:
                    for kind, paths in zip(("api", "floor"), case["paths"], strict=True):
                        if paths is None:
                            continue
                        latencies, elapsed, failures = _load(
                            servers[kind][1], paths, headers, concurrency, seconds / 2
                        )
                        if failures:
                            raise RuntimeError(f"{len(failures)} failed, first: {failures[0]}")
                        key = (case["name"], concurrency, kind)
                        recorded = samples.setdefault(key, [[], 0.0])
                        recorded[0].extend(latencies)
                        recorded[1] += elapsed
    finally:
        for server, _port in servers.values():
            _stop(server)
    results = [
        {"case": name, "concurrency": concurrency, "server": kind, **_summary(*recorded)}
        for (name, concurrency, kind), recorded in samples.items()
    ]
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
