"""The compliance checks over 10,000 activities, beside loading the same activities.

`ropa check` = load every activity + read the library, organisation and notices + run every
rule.  Baseline: ActivityService.load() alone (what any export must do anyway).
Target: the whole check within 2x of the load.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.register_data import cached_register
from bench.timing import best_of
from ropa.checks import check_activities, check_register, load_context
from ropa.records import LibraryKind
from ropa.register import Register

COUNT = 10_000
RUNS = 3


def flag_some_categories(register: Register) -> None:
    """Make the synthetic register look real: some special category and criminal data."""
    for item in register.library.items(LibraryKind.DATA_CATEGORY):
        prefix, _, number_text = item.name.rpartition(" ")
        if prefix != "Data category":
            continue
        number = int(number_text)
        if item.id is not None and (number < 20 or number == 199):
            register.library.update(
                item.id, {"special_category": number < 20, "criminal_offence": number == 199}
            )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checks.ropa"
        shutil.copy(cached_register(COUNT), path)
        with Register.open(path) as register:
            flag_some_categories(register)
            load_time, records = best_of(register.activities.load, RUNS)
            context = load_context(register)
            rules_time, findings = best_of(lambda: check_activities(records, context), RUNS)
            check_time, report = best_of(lambda: check_register(register), RUNS)
    assert len(records) == COUNT and len(report.findings) == len(findings)
    ratio = check_time / load_time
    print(f"activities:                      {COUNT:,}")
    print(f"findings:                        {len(findings):,}")
    print(f"load (ActivityService.load):     {load_time:.2f} s   (baseline)")
    print(f"rules alone (check_activities):  {rules_time:.2f} s")
    print(f"whole check (check_register):    {check_time:.2f} s")
    print(f"ratio whole check / load:        {ratio:.2f}x   (target within 2x)")
    print(f"per activity, rules alone:       {rules_time / COUNT * 1e6:.0f} \u00b5s")
    print(f"(best of {RUNS} runs each)")


if __name__ == "__main__":
    main()
