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

    .venv/bin/python bench/import_scale.py --collector [--repeat N]

What pausing Python's cycle collector during an import buys (issue 22): the 10,000-row
import with the collector left running and with it paused, alternated in fresh processes in
the same run, best of N each, and their ratio.

    .venv/bin/python bench/import_scale.py --bounded

The bound on rows (issue 18): imports of 10,000 and 100,000 rows, and of a 16 MB .xlsx of
1.5 million short rows (under both size limits; written here, never by the tests), each in a
fresh process with its time and peak memory, each beside a baseline measured in the same
run: for the imports, python-calamine's bare iteration of the same file (every cell, nothing
done with them); for the 1.5-million-row file, which must be refused within seconds in under
500 MB, a process with the same imports that only inflates the sheet's XML, a piece at a
time.  The ratios are printed.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def write_million_rows(path: Path, rows: int = 1_500_000) -> Path:
    """An .xlsx of `rows` short rows (a business function and a purpose) under the ICO
    headings, its XML written straight into the zip a piece at a time: openpyxl would take
    minutes.  About 16 MB; it unpacks to 160 MB, under the reader's 400 MB limit."""
    import zipfile

    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="ROPA" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1">'
                b'<c r="A1" t="inlineStr"><is><t>Business function</t></is></c>'
                b'<c r="B1" t="inlineStr"><is><t>Purpose of processing</t></is></c></row>'
            )
            batch: list[bytes] = []
            for row in range(2, rows + 2):
                batch.append(
                    f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>HR team</t></is></c>'
                    f'<c r="B{row}"><v>{row}</v></c></row>'.encode()
                )
                if len(batch) == 10_000:
                    sheet.write(b"".join(batch))
                    batch.clear()
            sheet.write(b"".join(batch) + b"</sheetData></worksheet>")
    return path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_calamine(path: Path) -> dict[str, float]:
    """Run in a child process: python-calamine's bare iteration of every cell, the baseline
    of an import of the same file."""
    import python_calamine

    import ropa.spreadsheets  # noqa: F401 (the same imports as the import's process)

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    for row in workbook.get_sheet_by_index(0).iter_rows():
        for _ in row:
            pass
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def inflate_only(path: Path) -> dict[str, float]:
    """Run in a child process: the sheet's XML inflated a megabyte at a time and dropped,
    the least any look at every row costs; the baseline of the refused file."""
    import zipfile

    import ropa.spreadsheets  # noqa: F401 (the same imports as the import's process)

    started = time.perf_counter()
    inflated = 0
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            inflated += len(chunk)
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": _peak_mb(),
        "inflated_mb": inflated / 1024 / 1024,
    }


def import_refused(path: Path) -> dict[str, Any]:
    """Run in a child process: an import that must be refused, timed, with the peak."""
    from ropa.register import Register
    from ropa.spreadsheets import import_workbook
    from ropa.spreadsheets.errors import SpreadsheetError

    with (
        tempfile.TemporaryDirectory(prefix="ropa-import-scale-") as folder,
        Register.open(Path(folder) / "empty.ropa") as register,
    ):
        started = time.perf_counter()
        try:
            import_workbook(register, path)
            answer = "imported (not refused)"
        except SpreadsheetError as error:
            answer = str(error)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": _peak_mb(), "answer": answer}


def bounded(folder: Path) -> None:
    """Time and peak memory of 10,000 and 100,000-row imports and of the refused
    1.5-million-row file, each beside its baseline measured in this run."""
    print(f"{'file':<34} {'size':>7} {'time':>8} {'peak':>8}   baseline, ratio")
    for size in (10_000, 100_000):
        path = write_workbook(folder / f"hand-made-{size}.xlsx", size)
        done = in_child("import", path)
        assert done["created"] == size, done
        base = in_child("bare-calamine", path)
        print(
            f"{f'import of {size:,} rows':<34} {path.stat().st_size / 1024 / 1024:5.1f}MB "
            f"{done['seconds']:7.2f}s {done['peak_mb']:6.0f}MB   bare calamine iteration "
            f"{base['seconds']:.2f}s {base['peak_mb']:.0f}MB: "
            f"time {done['seconds'] / base['seconds']:.1f}x, "
            f"memory {done['peak_mb'] / base['peak_mb']:.1f}x"
        )
    path = write_million_rows(folder / "million-rows.xlsx")
    refused = in_child("refused", path)
    base = in_child("inflate", path)
    print(
        f"{'1,500,000 short rows (refused)':<34} {path.stat().st_size / 1024 / 1024:5.1f}MB "
        f"{refused['seconds']:7.2f}s {refused['peak_mb']:6.0f}MB   inflating its "
        f"{base['inflated_mb']:.0f} MB of XML {base['seconds']:.2f}s {base['peak_mb']:.0f}MB: "
        f"time {refused['seconds'] / base['seconds']:.2f}x, memory "
        f"{refused['peak_mb'] / base['peak_mb']:.2f}x (targets: within seconds, under 500 MB)"
    )
    print(f"  the answer: {refused['answer']}")


def import_once(path: Path) -> dict[str, float]:
    """Run in a child process: one import into an empty register, timed, with the peak."""
    from ropa.register import Register
    from ropa.spreadsheets import import_workbook

    with (
        tempfile.TemporaryDirectory(prefix="ropa-import-scale-") as folder,
        Register.open(Path(folder) / "empty.ropa") as register,
    ):
        started, cpu_started = time.perf_counter(), time.process_time()
        report = import_workbook(register, path)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "created": len(report.created), "peak_mb": peak_mb}


def import_collector_running(path: Path) -> dict[str, float]:
    """Run in a child process: `import_once` as the app runs it, the collector running."""
    import gc

    assert gc.isenabled()
    return import_once(path)


def import_collector_paused(path: Path) -> dict[str, float]:
    """Run in a child process: `import_once` with the collector disabled around it, as the
    import did (for the whole process) before issue 22."""
    import gc

    gc.disable()
    try:
        return import_once(path)
    finally:
        gc.enable()


def collector_compare(folder: Path, repeat: int) -> None:
    """The 10,000-row import with the cycle collector running and paused, alternated."""
    path = write_workbook(folder / "hand-made-10000.xlsx", 10_000)
    runs: dict[str, list[dict[str, float]]] = {"running": [], "paused": []}
    for _ in range(max(repeat, 1)):
        runs["running"].append(in_child("import-collector-running", path))
        runs["paused"].append(in_child("import-collector-paused", path))
    best = {mode: min(found, key=lambda run: run["seconds"]) for mode, found in runs.items()}
    for mode, run in best.items():
        every = ", ".join(f"{r['seconds']:.2f}" for r in runs[mode])
        print(
            f"collector {mode:<8} best of {len(runs[mode])}: {run['seconds']:.2f}s elapsed, "
            f"{run['cpu']:.2f}s CPU, peak {run['peak_mb']:.0f}MB "
            f"(all: {every})"
        )
    print(
        f"running / paused: {best['running']['seconds'] / best['paused']['seconds']:.3f}x "
        f"elapsed, {best['running']['cpu'] / best['paused']['cpu']:.3f}x CPU"
    )


def in_child(function: str, path: Path) -> dict[str, Any]:
    """`function(path)` in a fresh interpreter, so each size's peak memory is its own."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", function, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=1, help="imports per size (best kept)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--bounded", action="store_true", help="10,000, 100,000 and 1.5 million rows"
    )
    parser.add_argument(
        "--collector",
        action="store_true",
        help="10,000 rows with the cycle collector running and paused",
    )
    arguments = parser.parse_args()
    if arguments.child:
        function, path = arguments.child
        actions: dict[str, Callable[[Path], dict[str, Any]]] = {
            "import": import_once,
            "bare": bare_read,
            "bare-calamine": bare_calamine,
            "inflate": inflate_only,
            "refused": import_refused,
            "import-collector-running": import_collector_running,
            "import-collector-paused": import_collector_paused,
        }
        print(json.dumps(actions[function](Path(path))))
        return
    if arguments.collector:
        with tempfile.TemporaryDirectory(prefix="ropa-import-scale-") as kept_until_done:
            collector_compare(Path(kept_until_done), arguments.repeat)
        return
    if arguments.bounded:
        with tempfile.TemporaryDirectory(prefix="ropa-import-scale-") as kept_until_done:
            bounded(Path(kept_until_done))
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
