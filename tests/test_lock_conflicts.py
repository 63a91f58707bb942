"""A save that loses a real PostgreSQL deadlock runs again once; if it loses
twice it is refused with a clear message and the staff member's input still
in the form (issue 18). Another connection makes the deadlocks: it holds the
state's row, and whenever the save waits for it, asks for the fact's row the
save holds."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from states.admin import LOCK_CONFLICT_MESSAGE
from tests.helpers import statement_form

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="deadlocks are PostgreSQL's")


def someone_waits_for_a_lock(other):
    for _ in range(1000):
        waiting = other.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the save never waited for the state's row")


class DeadlockMaker(threading.Thread):
    """Holds the state's row; ``deadlocks`` times, once the save waits for it,
    asks for the fact's row, which the save holds: a cycle PostgreSQL breaks by
    aborting the save (whose deadlock_timeout, 1 s by default, runs out first)."""

    def __init__(self, state_id, statement_id, deadlocks):
        super().__init__(daemon=True)
        settings = connection.settings_dict
        self.dsn = {
            "dbname": settings["NAME"],
            "user": settings["USER"],
            "password": settings["PASSWORD"] or None,
            "host": settings["HOST"] or None,
            "port": settings["PORT"] or None,
        }
        self.state_id, self.statement_id, self.deadlocks = state_id, statement_id, deadlocks
        self.holding, self.error = threading.Event(), None

    def run(self):
        try:
            with psycopg.connect(**self.dsn) as other:
                other.execute("SET deadlock_timeout = '10s'")
                other.execute("SELECT 1 FROM states_state WHERE id = %s FOR UPDATE", [self.state_id])
                self.holding.set()
                for _ in range(self.deadlocks):
                    someone_waits_for_a_lock(other)
                    other.execute("SAVEPOINT cycle")
                    other.execute(
                        "SELECT 1 FROM states_positionstatement WHERE id = %s FOR UPDATE", [self.statement_id]
                    )
                    other.execute("ROLLBACK TO SAVEPOINT cycle")  # lets the fact go, keeps the state
                other.rollback()
        except Exception as error:  # reported by the test
            self.error = error
            self.holding.set()


def save_during(deadlocks, client, statement, summary):
    maker = DeadlockMaker(statement.state_id, statement.pk, deadlocks)
    maker.start()
    maker.holding.wait(10)
    response = client.post(
        f"/admin/states/positionstatement/{statement.pk}/change/",
        statement_form(statement, summary=summary, change_reason="Reworded"),
    )
    maker.join(30)
    assert maker.error is None, maker.error
    return response


def test_a_save_that_loses_a_deadlock_runs_again_and_is_saved(as_user, publisher, published_statement, caplog):
    response = save_during(1, as_user(publisher), published_statement, "Saved after one deadlock.")
    assert response.status_code == 302
    published_statement.refresh_from_db()
    assert published_statement.summary == "Saved after one deadlock."
    assert "Lock conflict on /admin/states/positionstatement/" in caplog.text


def test_a_save_that_loses_two_deadlocks_is_refused_with_the_input_kept(as_user, publisher, published_statement):
    before = published_statement.summary
    response = save_during(2, as_user(publisher), published_statement, "Typed, never saved.")
    assert response.status_code == 200
    page = response.content.decode()
    assert "the database could not apply both" in page and "the database could not apply both" in str(
        LOCK_CONFLICT_MESSAGE
    )
    assert "Typed, never saved." in page  # the input, still in the form
    published_statement.refresh_from_db()
    assert published_statement.summary == before
