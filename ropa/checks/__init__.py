"""Compliance checks: what is missing or inconsistent in the register, and how to fix it.

findings = run_checks(register)                   # over an open register
findings = check_activities(records, context)     # pure, over plain records
"""

from ropa.checks.engine import (
    CheckReport,
    ChecksCancelled,
    check_activities,
    check_activity,
    check_register,
    completeness,
    gap_counts,
    is_about_organisation,
    load_context,
    missing_fields,
    register_completeness,
    rules,
    run_checks,
    severity_counts,
)
from ropa.checks.findings import CheckContext, Finding, NoticeState, Severity
from ropa.checks.rules import Rule

__all__ = [
    "CheckContext",
    "CheckReport",
    "ChecksCancelled",
    "Finding",
    "NoticeState",
    "Rule",
    "Severity",
    "check_activities",
    "check_activity",
    "check_register",
    "completeness",
    "gap_counts",
    "is_about_organisation",
    "load_context",
    "missing_fields",
    "register_completeness",
    "rules",
    "run_checks",
    "severity_counts",
]
