"""The fixed vocabularies the register stores as text.

Kept apart from the table definitions so that code which only reads the activities list
(the main window as it starts) can name them without importing SQLAlchemy.
"""

from __future__ import annotations

import enum


class LibraryKind(enum.StrEnum):
    PURPOSE = "purpose"
    INDIVIDUAL_CATEGORY = "individual_category"
    DATA_CATEGORY = "data_category"
    SOURCE = "source"
    RECIPIENT = "recipient"
    PROCESSOR = "processor"
    LEGISLATION = "legislation"
    SECURITY_MEASURE = "security_measure"
    SYSTEM = "system"
    COUNTRY = "country"


class Role(enum.StrEnum):
    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint_controller"
    PROCESSOR = "processor"


class Status(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETIRED = "retired"
