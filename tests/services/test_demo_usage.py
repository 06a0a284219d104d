"""The demo's library usage page shows real figures: enough demo patients played the popular
sessions (rated before and after) that their counts and mean change clear the small-cell rule
(`caseload.usage_rules.MIN_PATIENTS`), while the sessions few of them played stay hidden."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from tests.services.test_demo_history import seeded
from wellness.caseload.usage import library_usage
from wellness.caseload.usage_rules import MIN_PATIENTS, Figures, UsageQuery, default_period
from wellness.demo import clinic_use
from wellness.demo.accounts import DEMO_ACCOUNTS
from wellness.demo.history import CARE_TEAMS
from wellness.settings import CarePolicy

ZONE = "Europe/Berlin"


def usage_by_title(orm: Orm) -> dict[str, Figures]:
    today = TEST_NOW.astimezone(ZoneInfo(ZONE)).date()
    query = UsageQuery(default_period(today))
    report = orm.run(library_usage(query, zone=ZONE, policy=CarePolicy(), now=TEST_NOW))
    return {row.title: row.figures for row in report.rows}


def test_the_popular_demo_sessions_show_their_figures_and_the_rare_ones_stay_hidden(
    orm: Orm, tmp_path: Path
) -> None:
    seeded(orm, tmp_path)

    figures = usage_by_title(orm)

    for title in clinic_use.POPULAR:
        shown = figures[title]
        assert shown.patients is not None, title
        assert shown.patients >= MIN_PATIENTS, title
        assert shown.mean_change is not None, title
        assert shown.mean_change < 0, title  # calmer after than before
    hidden = [title for title, shown in figures.items() if shown.patients_suppressed]
    assert len(hidden) >= 3, hidden
    assert not set(hidden) & set(clinic_use.POPULAR)


def test_every_demo_patient_is_on_a_care_team_and_listed_on_the_sign_in_page(
    orm: Orm, tmp_path: Path
) -> None:
    users = seeded(orm, tmp_path)

    patients = {email for email, user in users.items() if user.role == "patient"}
    on_teams = {email for team in CARE_TEAMS.values() for email in team}
    assert patients == on_teams
    assert len(patients) >= MIN_PATIENTS + 4
    listed = {account.email for account in DEMO_ACCOUNTS}
    assert patients <= listed
    assert {f"patient{number}@demo.wellness" for number in range(2, len(patients) + 1)} <= listed
