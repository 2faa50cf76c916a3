"""The import figure of `make bench`: 10,000 meetings in 2,000 missions from one XLSX,
as a dry run and as a real import (rolled back afterwards, so the database is left as
it was), in rows a second and the process's peak memory, with TARGET lines.

Run alone: DATABASE_URL=postgres://… python -m bench.imports (the database migrated;
the people and organisations the file names are created once if missing)."""

import datetime
import io
import os
import resource
import sys
import time

# BENCH_IMPORT_MISSIONS: fewer missions for a quick look (the TARGETs are for 2,000).
MISSIONS = int(os.environ.get("BENCH_IMPORT_MISSIONS", "2000"))
MEETINGS_PER_MISSION = 5
RATE_TARGET = 2_000  # rows a second
MEMORY_TARGET_MB = 300
COUNTRIES = ["GH", "KE", "VN", "TH", "ID", "PH", "IN", "EG", "TN", "BR"]
RANKS = ["大臣", "副大臣", "大臣政務官"]


def _people():
    from contacts.models import Person

    names = [f"Bench importer official {n}" for n in range(40)]
    missing = set(names) - set(Person.objects.filter(name__in=names).values_list("name", flat=True))
    Person.objects.bulk_create([Person(name=name) for name in sorted(missing)])
    return names


def workbook_bytes(officials) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("missions")
    sheet.append(
        [
            "ミッションキー / mission key",
            "名称（英語） / title (English)",
            "団長 / leader",
            "団長の役職 / leader's rank",
            "種別 / kind",
            "開始日 / start date",
            "終了日 / end date",
            "状態 / status",
            "日付 / date",
            "相手国 / counterpart country",
            "議題 / topics",
        ]
    )
    first = datetime.date(2019, 4, 1)
    for mission in range(MISSIONS):
        start = first + datetime.timedelta(days=mission % 360)
        end = start + datetime.timedelta(days=4)
        leader = officials[mission % len(officials)]
        for meeting in range(MEETINGS_PER_MISSION):
            sheet.append(
                [
                    f"B-{mission}",
                    f"Import bench mission {mission}",
                    leader,
                    RANKS[mission % len(RANKS)],
                    "海外訪問",
                    start,
                    end,
                    "完了",
                    start + datetime.timedelta(days=meeting % 5),
                    COUNTRIES[(mission + meeting) % len(COUNTRIES)],
                    f"Topic {meeting}",
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(log=print) -> list[tuple[str, str, str, bool]]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from imports.engine import import_file

    officials = _people()
    user = get_user_model().objects.filter(
        is_superuser=True
    ).first() or get_user_model().objects.create_superuser("bench-importer", password=None)
    data = workbook_bytes(officials)
    rows = MISSIONS * MEETINGS_PER_MISSION
    log(f"Import: {rows:,} meetings in {MISSIONS:,} missions, {len(data) / 1e6:.1f} MB of XLSX")
    targets = []
    for dry_run in (True, False):
        label = "dry run" if dry_run else "import"
        with transaction.atomic():
            started, cpu_started = time.perf_counter(), time.process_time()
            report = import_file(
                kind="missions", data=data, file_name="bench.xlsx", user=user, dry_run=dry_run
            )
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            transaction.set_rollback(True)  # leave the database as it was
        if not report.ok:
            log(f"  {label}: {len(report.errors)} errors, first {report.errors[:3]}")
        rate = rows / elapsed
        log(
            f"  {label}: {elapsed:.1f} s ({cpu:.1f} s CPU in this process), {rate:,.0f} rows/s, totals {report.totals}, "
            f"peak {peak_mb():.0f} MB"
        )
        targets.append(
            (f"import {label} rows/s", f"{rate:.0f}", f">={RATE_TARGET}", rate >= RATE_TARGET)
        )
    memory = peak_mb()
    targets.append(
        (
            "import peak memory MB",
            f"{memory:.0f}",
            f"<{MEMORY_TARGET_MB}",
            memory < MEMORY_TARGET_MB,
        )
    )
    return targets


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    for name, measured, limit, passed in measure():
        print(f"TARGET {name} measured={measured} limit={limit} {'PASS' if passed else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
