"""Importing hand-made registers of growing size: is the time per row flat?

    .venv/bin/python bench/import_scale.py [SIZES...] [--repeat N]

Writes, with plain openpyxl, a controller workbook in the ICO layout as a DPO keeps one by
hand (contact block, ICO headings, no reference column, text typed in every column) for
each size (default 1,000, 10,000 and 50,000 rows), then imports each into an empty
register in a fresh process and prints the time per row (elapsed, and CPU) and the
process's peak memory.
At 10,000 rows the import is also set beside the reader's own bare iteration of the same
file (every cell of every row, nothing done with them).  Targets: time per row flat within
1.5x from the smallest size to the largest; at 10,000 rows within 3x of the bare read.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook

from ropa.spreadsheets import layout

FUNCTIONS = (
    "Children's Social Care",
    "Adult Social Care",
    "Education",
    "Housing",
    "Revenues and Benefits",
    "Human Resources",
    "Planning",
    "Environmental Health",
    "Libraries",
    "Electoral Services",
    "Licensing",
    "Waste and Recycling",
)
PEOPLE = ("Children", "Parents and carers", "Residents", "Employees", "Tenants", "Applicants")
DATA = (
    "Name and address",
    "Date of birth",
    "Contact details",
    "Health",
    "Ethnic origin",
    "Financial details",
    "Education records",
    "Criminal convictions",
)
RECIPIENTS = ("Schools", "NHS trusts", "Police", "HMRC", "DWP", "Auditors")
BASES = (
    "Public task - Article 6(1)(e)",
    "Legal obligation\nHousing Act 1996",
    "Art 6(1)(b) contract",
    "Public task\nChildren Act 1989\nChildren Act 2004",
)


def pick(pool: tuple[str, ...], index: int, count: int) -> list[str]:
    return [pool[(index + step) % len(pool)] for step in range(count)]


def row_values(index: int) -> dict[str, str]:
    """One activity as a DPO types it: something in most columns, different on each row."""
    function = FUNCTIONS[index % len(FUNCTIONS)]
    return {
        "business_function": function,
        "purposes": f"Managing case {index} for {function.lower()}\nReporting to the board",
        "joint_controllers": "N/A",
        "individuals": "\n".join(pick(PEOPLE, index, 2)),
        "data_categories": "; ".join(pick(DATA, index, 4)),
        "recipients": "\n".join(f"• {name}" for name in pick(RECIPIENTS, index, 3)),
        "processors": "Case System Ltd" if index % 3 == 0 else "",
        "transfer_destinations": "None",
        "retention": f"{index % 10 + 1} years after the case closes",
        "security_measures": "Role-based access; Encryption at rest",
        "lawful_bases": BASES[index % len(BASES)],
        "article9": "Article 9(2)(h) health or social care" if index % 2 else "",
        "legitimate_interests": "",
        "rights": "All the usual ones" if index % 50 == 0 else "",
        "automated_decisions": "No",
        "sources": "The person themselves; Referrals",
        "systems": "Case management system",
        "dpia_required": "Yes" if index % 4 == 0 else "No",
        "dpia_progress": "Completed March 2024" if index % 4 == 0 else "",
        "breach_occurred": "No",
        "schedule1": "Sch 1 para 6 statutory purposes" if index % 2 else "",
        "retention_follows_apd": "Yes",
    }


def write_workbook(path: Path, rows: int) -> Path:
    """The workbook, written row by row (write-only openpyxl keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("ROPA")
    columns = layout.CONTROLLER_LAYOUT.ico_columns
    sheet.append(["Controller"])
    sheet.append(["Name and contact details", None, "Data Protection Officer"])
    for label, own, dpo in (
        ("Name", "Westshire County Council", "Sam Patel"),
        ("Address", "County Hall, Westshire", "County Hall, Westshire"),
        ("Email", "info@westshire.example", "dpo@westshire.example"),
        ("Telephone", "01632 961000", "01632 961001"),
    ):
        sheet.append([label, own, label, dpo])
    sheet.append([])
    sheet.append(["Article 30 Record of Processing Activities"])
    sheet.append([column.header for column in columns])
    for index in range(rows):
        values = row_values(index)
        sheet.append([values.get(column.key) or None for column in columns])
    workbook.save(path)
    return path


def bare_read(path: Path) -> dict[str, float]:
    """Seconds to iterate every cell of the file with each reader, doing nothing else."""
    import openpyxl
    import python_calamine

    times: dict[str, float] = {}
    started = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True)
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        for _ in row:
            pass
    workbook.close()
    times["openpyxl read-only"] = time.perf_counter() - started
    started = time.perf_counter()
    calamine = python_calamine.CalamineWorkbook.from_path(str(path))
    for row in calamine.get_sheet_by_index(0).iter_rows():
        for _ in row:
            pass
    times["python-calamine"] = time.perf_counter() - started
    return times


def import_once(path: Path) -> dict[str, float]:
    """Run in a child process: one import into an empty register, timed, with the peak."""
    from ropa.register import Register
    from ropa.spreadsheets import import_workbook

    folder = Path(tempfile.mkdtemp(prefix="ropa-import-scale-"))
    with Register.open(folder / "empty.ropa") as register:
        started, cpu_started = time.perf_counter(), time.process_time()
        report = import_workbook(register, path)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "created": len(report.created), "peak_mb": peak_mb}


def in_child(function: str, path: Path) -> dict[str, float]:
    """`function(path)` in a fresh interpreter, so each size's peak memory is its own."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", function, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=1, help="imports per size (best kept)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        function, path = arguments.child
        action = import_once if function == "import" else bare_read
        print(json.dumps(action(Path(path))))
        return
    folder = Path(tempfile.mkdtemp(prefix="ropa-import-scale-"))
    per_row: dict[int, float] = {}
    cpu_per_row: dict[int, float] = {}
    print(f"{'rows':>7} {'file':>8} {'import':>9} {'per row':>9} {'CPU/row':>9} {'peak':>8}")
    for size in arguments.sizes:
        path = write_workbook(folder / f"hand-made-{size}.xlsx", size)
        runs = [in_child("import", path) for _ in range(max(arguments.repeat, 1))]
        best = min(runs, key=lambda run: run["seconds"])
        assert best["created"] == size, best
        per_row[size] = best["seconds"] / size
        cpu_per_row[size] = best["cpu"] / size
        print(
            f"{size:>7,} {path.stat().st_size / 1024 / 1024:6.1f}MB {best['seconds']:8.2f}s "
            f"{per_row[size] * 1e6:7.0f}µs {cpu_per_row[size] * 1e6:7.0f}µs "
            f"{best['peak_mb']:6.0f}MB"
        )
        if size == 10_000:
            bare = in_child("bare", path)
            for reader, seconds in bare.items():
                print(
                    f"        bare iteration, {reader}: {seconds:.2f}s; "
                    f"import / bare = {best['seconds'] / seconds:.2f}x (target 3x)"
                )
    if len(per_row) > 1:
        smallest, largest = min(per_row), max(per_row)
        # The CPU time is the work done; the elapsed time adds waiting (for the disk, or on a
        # shared machine for a core), which is why both are shown.
        print(
            f"time per row at {largest:,} / at {smallest:,}: "
            f"{per_row[largest] / per_row[smallest]:.2f}x elapsed, "
            f"{cpu_per_row[largest] / cpu_per_row[smallest]:.2f}x CPU (target 1.5x)"
        )


if __name__ == "__main__":
    main()
