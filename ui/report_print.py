"""The checks report as a PDF, laid out with QTextDocument and written by QPdfWriter.

It lives in ui/ because ropa/ must not import Qt.  Every piece of user text is escaped
before it goes into the HTML, so nothing typed in the register becomes markup.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtGui import QTextDocument

from ropa.checks import CheckReport, Finding, Severity, gap_counts
from ropa.dates import british_date
from ropa.fields import label as field_label
from ropa.files import write_atomically
from ui.pdf import pdf_writer

_STYLE = """
body { font-family: sans-serif; font-size: 9pt; color: #1a1a1a; }
h1 { font-size: 16pt; margin-bottom: 2pt; }
h2 { font-size: 12pt; margin-top: 14pt; }
p.meta { color: #444444; }
table { border-collapse: collapse; }
th { background-color: #dde3ea; text-align: left; padding: 3pt; }
td { padding: 3pt; vertical-align: top; border-bottom: 1px solid #d0d0d0; }
td.fix { color: #333333; }
"""


def report_html(report: CheckReport) -> str:
    """The report as HTML with every user-supplied string escaped."""
    organisation = escape(report.organisation_name or "Your organisation")
    parts = [
        f"<html><head><style>{_STYLE}</style></head><body>",
        f"<h1>Compliance checks report \u2014 {organisation}</h1>",
        f"<p class='meta'>Checked on {british_date(report.checked_on)} \u00b7 "
        f"{report.errors} error{'s' if report.errors != 1 else ''} \u00b7 "
        f"{report.warnings} warning{'s' if report.warnings != 1 else ''} \u00b7 "
        f"register {report.completeness:.0%} complete ({len(report.activities)} activities)</p>",
        "<p class='meta'>Errors are entries UK GDPR Article 30 or DPA 2018 Schedule 1 requires; "
        "warnings are ICO good practice or answers that do not agree.</p>",
    ]
    for severity in Severity:
        findings = [f for f in report.findings if f.severity == severity]
        if findings:
            parts.append(f"<h2>{severity.label}s ({len(findings)})</h2>")
            parts.append(_findings_table(findings))
    if not report.findings:
        parts.append("<p>No gaps found: every check passed.</p>")
    parts.append("<h2>Completeness by activity</h2>")
    parts.append(_completeness_table(report))
    parts.append("</body></html>")
    return "".join(parts)


def _findings_table(findings: list[Finding]) -> str:
    rows = [
        "<table width='100%' cellspacing='0' cellpadding='4'><tr><th width='22%'>Activity</th>"
        "<th width='18%'>Field and article</th><th>Finding and how to fix it</th></tr>"
    ]
    for finding in findings:
        activity = escape(f"{finding.reference} {finding.activity_name}".strip())
        rows.append(
            f"<tr><td>{activity}</td>"
            f"<td>{escape(field_label(finding.field))}<br/>"
            f"<small>{escape(finding.article)} \u00b7 {escape(finding.rule_id)}</small></td>"
            f"<td>{escape(finding.message)}<br/>"
            f"<span class='fix'>How to fix: {escape(finding.fix)}</span></td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _completeness_table(report: CheckReport) -> str:
    gaps = gap_counts(report.findings)
    rows = [
        "<table width='100%' cellspacing='0' cellpadding='4'><tr><th width='14%'>Reference</th>"
        "<th>Activity</th><th width='12%'>Complete</th><th width='10%'>Gaps</th></tr>"
    ]
    for activity_id, (reference, name, share) in sorted(
        report.activities.items(), key=lambda item: item[1][0]
    ):
        rows.append(
            f"<tr><td>{escape(reference)}</td><td>{escape(name)}</td>"
            f"<td>{share:.0%}</td><td>{gaps.get(activity_id, 0)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def write_report_pdf(report: CheckReport, path: Path) -> None:
    """Write the report as an A4 PDF (atomically). Needs a running QGuiApplication."""

    def write(temporary: Path) -> None:
        writer = pdf_writer(str(temporary), "Compliance checks report", margin_mm=15)
        document = QTextDocument()
        document.setHtml(report_html(report))
        document.print_(writer)
        del writer  # the file is complete once the writer is gone

    write_atomically(path, write)
