"""The export of every meeting, served (python -m bench.export_probe, started by
bench.measure): the production gunicorn (config/gunicorn.conf.py, one worker, the
download limit and the throttles raised so that it measures exporting) answers
`?format=csv` and `?format=xlsx`, read to the end by a client; then the floor of the
CSV, PostgreSQL's COPY of the same columns with the names and labels joined in SQL.

Memory is the worker's, for the request alone: its peak resident size is reset
(/proc/<pid>/clear_refs) after a warm-up export, and its high-water mark (VmHWM) read
after the request, less its resident size before. Prints one JSON line."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.__main__ import _configure_environment

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "18029"))
EVERYTHING = "/api/v1/meetings/?format={format}"
WARM_UP = "/api/v1/meetings/?format={format}&country=GH&year=2019"
TICK = os.sysconf("SC_CLK_TCK")

# The export's columns (MeetingViewSet.export_columns) in Japanese, as one query, without
# the reader's visibility conditions and the neutralising of texts.
FLOOR_SQL = """
COPY (
SELECT m.date, %(countries)s::jsonb ->> m.counterpart_country,
  COALESCE(NULLIF(mi.title_ja, ''), mi.title), %(ranks)s::jsonb ->> mi.leader_rank,
  COALESCE(NULLIF(pr.name_ja, ''), pr.name), %(ranks)s::jsonb ->> m.principal_rank,
  m.venue_city,
  (SELECT string_agg(COALESCE(NULLIF(p.name_ja, ''), p.name), ', ' ORDER BY p.name, p.id)
   FROM missions_meeting_counterparts t JOIN contacts_person p ON p.id = t.person_id
   WHERE t.meeting_id = m.id),
  (SELECT string_agg(COALESCE(NULLIF(o.name_ja, ''), o.name), ', ' ORDER BY o.name, o.id)
   FROM missions_meeting_counterpart_organizations t
   JOIN contacts_organization o ON o.id = t.organization_id WHERE t.meeting_id = m.id),
  (SELECT string_agg(COALESCE(NULLIF(r.name_ja, ''), r.name), ', ' ORDER BY r.name, r.id)
   FROM missions_meeting_projects t JOIN projects_project r ON r.id = t.project_id
   WHERE t.meeting_id = m.id),
  m.topics, m.outcome,
  (SELECT string_agg(g.name, ', ' ORDER BY g.name_key, g.id)
   FROM missions_meeting_tags t JOIN core_tag g ON g.id = t.tag_id WHERE t.meeting_id = m.id)
FROM missions_meeting m JOIN missions_mission mi ON mi.id = m.mission_id
JOIN contacts_person pr ON pr.id = m.principal_id
ORDER BY m.date DESC, m.id
) TO STDOUT (FORMAT csv)
"""


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _worker(master: int) -> int:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                return int(stat.parent.name)
        except (OSError, ValueError):
            continue
    raise RuntimeError("gunicorn has no worker")


def _get(path: str, key: str) -> tuple[int, int, int, float]:
    """(status, bytes, CSV lines, seconds) of a GET read to the end."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Authorization": f"Token {key}"})
    response = connection.getresponse()
    size = lines = 0
    while chunk := response.read(1 << 20):
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    connection.close()
    return response.status, size, lines, seconds


def _served(key: str, export_format: str, master: int) -> dict:
    worker = _worker(master)
    status, *_ = _get(WARM_UP.format(format=export_format), key)
    assert status == 200, status
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status(worker)
    cpu = _cpu(worker)
    status, size, lines, seconds = _get(EVERYTHING.format(format=export_format), key)
    assert status == 200, status
    after = _status(worker)
    return {
        "seconds": seconds,
        "megabytes": size / 2**20,
        "lines": lines,
        "worker_cpu": _cpu(worker) - cpu,
        "baseline_mb": before["VmRSS"] / 1024,
        "peak_mb": (after["VmHWM"] - before["VmRSS"]) / 1024,
    }


def _floor() -> dict:
    from django.utils import translation
    from django_countries import countries

    from bench.floor import connect
    from missions.choices import LeaderRank

    with translation.override("ja"):
        names = json.dumps({code: str(name) for code, name in countries})
        ranks = json.dumps({value: str(label) for value, label in LeaderRank.choices})
    rows = 0
    with connect() as connection:
        started = time.perf_counter()
        sql = FLOOR_SQL % {"countries": _literal(names), "ranks": _literal(ranks)}
        with connection.cursor().copy(sql) as copy:
            for _data in copy:  # one message a row
                rows += 1
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def main():
    _configure_environment()
    import django

    django.setup()
    from missions.models import Meeting

    key = os.environ["BENCH_TOKEN"]
    if not _free(PORT):
        raise RuntimeError(f"port {PORT} is taken: set BENCH_PORT")
    environment = {
        **os.environ,
        "EXPORT_SYNC_MAX_ROWS": "100000000",
        "API_THROTTLE_TOKEN": "1000000/hour",
        "API_THROTTLE_USER": "1000000/hour",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{PORT}", "--workers", "1", "--no-control-socket",
         "--access-logfile", "/dev/null"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while _free(PORT):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(server.stderr.read().decode()[-3000:])
            time.sleep(0.2)
        result = {
            "rows": Meeting.objects.count(),
            "csv": _served(key, "csv", server.pid),
            "xlsx": _served(key, "xlsx", server.pid),
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    result["floor_csv"] = _floor()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
