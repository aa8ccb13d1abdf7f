"""Hearing colleagues' saves and a lost connection on a team register (real PostgreSQL)."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from ropa.team import ConnectionLostError
from ropa.team_watch import ChangeWatcher, WatchEvents
from tests.helpers.team_register import WATCHING, Team, end_sessions, heard_within, watching


def test_a_watcher_hears_saves_and_a_lost_connection(team: Team, postgres_server: str) -> None:
    heard: queue.Queue[tuple[str, str]] = queue.Queue()
    watcher = ChangeWatcher(
        team.url_for(team.viewer),
        WatchEvents(
            changed=lambda table: heard.put(("changed", table)),
            lost=lambda text: heard.put(("lost", text)),
            restored=lambda: heard.put(("restored", "")),
        ),
    )
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        assert watcher.connected.wait(10)
        with team.open_as(team.editor) as register:
            register.activities.update(team.finance_id, {"owner": "Payroll lead"})
        assert heard.get(timeout=10) == ("changed", "activity")
        end_sessions(postgres_server, team, WATCHING)
        kind, text = heard.get(timeout=10)
        assert kind == "lost"
        assert "The connection to the team register at" in text and "What you type is kept" in text
        assert heard.get(timeout=20) == ("restored", "")
        # Listening again: the next save is heard too.
        with team.open_as(team.dpo) as register:
            register.organisation.update({"name": "Anytown Council"})
        assert heard.get(timeout=10) == ("changed", "organisation")
    finally:
        watcher.stop.set()
        thread.join()


def test_a_save_over_a_lost_connection_says_so(team: Team, postgres_server: str) -> None:
    with team.open_as(team.editor) as register:
        with (
            pytest.raises(ConnectionLostError, match="was lost") as lost,
            register.transaction() as session,
        ):
            session.connection().exec_driver_sql("SELECT 1")
            end_sessions(postgres_server, team)
            session.connection().exec_driver_sql("SELECT 1")
        assert "This change was not saved" in str(lost.value)
        # The next save connects again by itself.
        register.activities.update(team.finance_id, {"owner": "Payroll lead"})
        assert register.activities.get(team.finance_id).owner == "Payroll lead"


def test_a_connection_lost_at_commit_does_not_say_the_change_was_not_saved(
    team: Team, postgres_server: str
) -> None:
    # The connection goes while COMMIT is on its way: the client cannot know whether the
    # server committed first, so "not saved" would be a guess.
    with team.open_as(team.editor) as register:
        with (
            pytest.raises(ConnectionLostError, match="was lost") as lost,
            register.transaction() as session,
        ):
            session.connection().exec_driver_sql("SELECT 1")
            end_sessions(postgres_server, team)
        words = str(lost.value)
        assert "not saved" not in words
        assert "It is not known whether this change was saved" in words


def test_stopping_a_watcher_ends_its_wait_at_once(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing a team window stops its watcher on the GUI thread, which waits for it: the
    watcher must not finish the poll interval first (with a 60 s poll, the old wait would
    have held the window that long; `watching` fails if it is not over within 10 s)."""
    import ropa.team_watch

    monkeypatch.setattr(ropa.team_watch, "POLL_SECONDS", 60.0)
    with watching(team.url_for(team.viewer)) as heard:
        # A save first, so that the watcher is back in its wait after handling a signal.
        with team.open_as(team.editor) as register:
            register.activities.update(team.finance_id, {"owner": "Heard first"})
        assert heard_within(heard) == ["activity"]
        time.sleep(0.5)  # long enough to be waiting again
