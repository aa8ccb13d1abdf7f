"""`ropa check`: print each finding, one a line, and exit 1 when any is an error."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from ropa.checks.engine import CheckReport, check_register
from ropa.checks.findings import Finding
from ropa.sanitise import for_terminal

if TYPE_CHECKING:
    from ropa.checks.engine import CheckedRegister

EXIT_OK = 0
EXIT_FAILED = 1


def format_finding(finding: Finding) -> str:
    """SEVERITY  RULE  REF  message [provision] — columns a script can split on two spaces;
    the provision the rule rests on closes the line, so every problem names its law."""
    reference = finding.reference or ("ORGANISATION" if finding.field != "notice" else "NOTICE")
    return (
        f"{finding.severity.value.upper():<7}  {finding.rule_id:<22}  {reference:<12}  "
        f"{finding.message}  [{finding.article}]"
    )


def summary(report: CheckReport) -> str:
    errors = _count(report.errors, "error")
    warnings = _count(report.warnings, "warning")
    activities = _count(len(report.activities), "activity", "activities")
    return (
        f"{errors}, {warnings} in {activities}; the register is {report.completeness:.0%} complete."
    )


def run_check(register: CheckedRegister, *, out: TextIO | None = None) -> int:
    """Check the register; 1 when any finding is an error, else 0."""
    stream = out or sys.stdout
    report = check_register(register)
    # Findings quote what users typed: escape any terminal controls in it.
    for finding in report.findings:
        print(for_terminal(format_finding(finding)), file=stream)
    print(for_terminal(summary(report)), file=stream)
    return EXIT_FAILED if report.errors else EXIT_OK


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
