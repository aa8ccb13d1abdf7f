"""The fast paths to the register's tables, each written once for SQLite and PostgreSQL.

The services (ropa/activities.py and the others) work through the ORM, one activity at a
time. Where thousands of rows are read or written at once that costs more than the rows
themselves, so these modules go around it, and tests read what they do back through the ORM
on both backends:

- new_activities: new activities and their child rows (an import, an example register);
- bulk_reads: many full activity records at once (exports, notices, checks);
- activity_list: the activities list the main window shows first, its business functions
  and the text its search looks through, read through the driver's own connection alone,
  without SQLAlchemy, so that a large register file opens fast.
"""
