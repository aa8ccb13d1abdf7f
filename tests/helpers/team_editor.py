"""One of two people editing a team register at once (tests/unit/test_team_concurrency.py).

    python -m tests.helpers.team_editor URL NAME EDITS ID[,ID...]

Makes EDITS edits, round the given activities in turn: reads the activity, appends a token
("NAME-N") to its notes and saves with the version it read. Prints one JSON object: the
tokens saved (by activity id) and the conflicts reported (how many, and one message).
"""

from __future__ import annotations

import json
import sys

from ropa.errors import ConflictError
from ropa.register import Register


def main(url: str, name: str, edits: int, activity_ids: list[int]) -> dict[str, object]:
    saved: dict[int, list[str]] = {activity_id: [] for activity_id in activity_ids}
    conflicts = 0
    message = ""
    with Register.open(url, create=False) as register:
        for number in range(edits):
            activity_id = activity_ids[number % len(activity_ids)]
            token = f"{name}-{number}"
            seen = register.activities.get(activity_id)
            try:
                register.activities.update(
                    activity_id, {"notes": f"{seen.notes} {token}"}, expected_version=seen.version
                )
            except ConflictError as error:
                conflicts += 1
                message = str(error)
                continue
            saved[activity_id].append(token)
    return {"saved": saved, "conflicts": conflicts, "message": message}


if __name__ == "__main__":
    url, name, edits, ids = sys.argv[1:5]
    result = main(url, name, int(edits), [int(part) for part in ids.split(",")])
    print(json.dumps(result))
