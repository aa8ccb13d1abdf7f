"""Write tests/data/register-schema-<revision>.ropa: the demo register at today's schema.

Run `python tests/data/make_schema_fixtures.py` once per RELEASED schema version and commit
the file; tests/unit/test_schema_upgrades.py then proves that every later version opens it
(upgrading a copy) with all of its data.  Never regenerate the file of a released version:
it stands for the registers users already have.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent
sys.path.insert(0, str(DATA.parents[1]))

from db.schema import head_revision  # noqa: E402
from ropa.backup import save_copy  # noqa: E402
from ropa.demo import write_demo  # noqa: E402
from ropa.paths import resource  # noqa: E402


def fixture_path(revision: str) -> Path:
    return DATA / f"register-schema-{revision}.ropa"


def main() -> None:
    target = fixture_path(head_revision())
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo.ropa"
        with write_demo(demo):
            pass
        target.unlink(missing_ok=True)
        save_copy(demo, target)
    # The content it holds, kept beside it: the demo itself will change over time.
    shutil.copyfile(resource("demo", "childrens_services.json"), target.with_suffix(".json"))
    print(f"Wrote {target.relative_to(DATA.parents[1])} and its .json")


if __name__ == "__main__":
    main()
