"""Clinical review of drafts, on both databases: a review is of one version of a draft, any
later change of its content makes it a review of an earlier version, only an active
therapist's approval of the version being published counts, and the clinic's setting decides
whether publishing waits for one."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.caseload_fixtures import person
from tests.services.conftest import Orm
from tests.services.test_catalog_deletion import make_asset, make_session
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.caseload import removal as drafts
from wellness.catalog import editing
from wellness.catalog.editing import SessionFields
from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture, Status
from wellness.catalog.models import PracticeSession
from wellness.catalog.rules import CatalogConflict
from wellness.lib.validation import FieldError
from wellness.reviews import publishing
from wellness.reviews import services as reviews
from wellness.reviews.models import SessionReview
from wellness.reviews.rules import Decision, DraftContent, ReviewStatus

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
APPROVED, CHANGES = Decision.APPROVED, Decision.CHANGES_REQUESTED


@pytest.fixture
def db(orm: Orm) -> Orm:
    """The pass's database: SQLite, or PostgreSQL when WELLNESS_TEST_DATABASE_URL is set."""
    return orm


@pytest.fixture
def people(db: Orm) -> dict[str, User]:
    return {
        name: db.run(person(name, role))
        for name, role in (
            ("theo", Role.THERAPIST),
            ("tamsin", Role.THERAPIST),
            ("cora", Role.COORDINATOR),
            ("ada", Role.ADMIN),
        )
    }


@pytest.fixture
def draft(db: Orm) -> PracticeSession:
    asset = db.run(make_asset(1))
    return db.run(make_session("Box breathing", asset))


def review(
    db: Orm, session: PracticeSession, who: User, decision: Decision, comment: str = ""
) -> Any:
    return db.run(reviews.add_review(session, who, decision, comment, now=NOW))


def standing(db: Orm, session: PracticeSession) -> Any:
    return db.run(reviews.reviews_of(session)).standing


def edit(db: Orm, session: PracticeSession, who: User, **changes: Any) -> PracticeSession:
    return db.run(editing.update_session(session, SessionFields(**changes), actor=who, now=LATER))


def stored(db: Orm, session: PracticeSession) -> PracticeSession:
    return db.run(PracticeSession.get(id=session.id))


# --- versions --------------------------------------------------------------------------------


def test_every_field_of_a_session_is_in_its_version_or_named_as_outside_it() -> None:
    """A new field a patient sees must change the version; fields that say nothing about the
    content (ids, who and when, status, search copies) are listed here on purpose."""
    outside = {
        "id",
        "status",
        "created_by",
        "created_by_id",
        "updated_by",
        "updated_by_id",
        "created_at",
        "updated_at",
        "published_at",
        "tag_text",  # a search copy of the tags, which are in
        "primary_asset",  # in as the media's sha256
        "primary_asset_id",
        "tags",
    }
    in_version = {field.name for field in dataclass_fields(DraftContent)}
    model_fields = set(PracticeSession._meta.fields_map)
    assert model_fields - outside <= in_version, model_fields - outside - in_version


EDITS: dict[str, dict[str, Any]] = {
    "title": {"title": "Box breathing, holds optional"},
    "description": {"description": "Leave the holds out if they feel uncomfortable."},
    "transcript": {"transcript": "Breathe in for four. Breathe out for four."},
    "kind": {"kind": Kind.GROUNDING},
    "instructor": {"instructor": "Jonah Okafor"},
    "language": {"language": "de"},
    "level": {"level": Level.ADVANCED},
    "posture": {"posture": Posture.LYING},
    "guidance": {"guidance": Guidance.SILENT},
    "anxiety range": {"anxiety_max": 3},
    "contraindications": {"contraindications": [Contraindication.BREATH_HOLD]},
    "tags": {"tags": ["focus"]},
}


@pytest.mark.parametrize("edited", [*EDITS, "media", "minutes"])
def test_any_change_of_content_makes_earlier_reviews_of_an_earlier_version(
    db: Orm, people: dict[str, User], draft: PracticeSession, edited: str
) -> None:
    review(db, draft, people["theo"], APPROVED)
    assert standing(db, draft).status is ReviewStatus.APPROVED

    if edited in EDITS:
        edit(db, draft, people["cora"], **EDITS[edited])
    else:  # other media: other bytes, and (for "minutes") another length
        asset = db.run(make_asset(2))
        if edited == "minutes":
            db.run(type(asset).filter(id=asset.id).update(duration_seconds=600.0))
        edit(db, draft, people["cora"], primary_asset_id=asset.id)

    found = db.run(reviews.reviews_of(draft))
    assert found.standing.status is ReviewStatus.EARLIER_VERSION
    assert [item.current for item in found.items] == [False]
    assert db.run(SessionReview.all().count()) == 1  # kept, never changed


def test_saving_a_draft_unchanged_keeps_its_reviews_current(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    review(db, draft, people["theo"], APPROVED)
    edit(db, draft, people["cora"], title="Box breathing", tags=["exhale", "calm"])
    assert standing(db, draft).summary == "Approved by Theo"


def test_a_review_written_by_any_other_writer_is_judged_by_the_content_stored(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    """The version is computed from what is stored, so a change made around the editor (the
    command line, hand-run SQL) is noticed too."""
    review(db, draft, people["theo"], APPROVED)
    db.run(PracticeSession.filter(id=draft.id).update(description="Hold for a count of eight."))
    assert standing(db, draft).status is ReviewStatus.EARLIER_VERSION


# --- what reviews add up to ------------------------------------------------------------------


def test_only_an_active_therapists_approval_counts(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    review(db, draft, people["theo"], APPROVED)
    db.run(accounts.set_active(people["theo"].id, False))
    assert standing(db, draft).status is ReviewStatus.NOT_REVIEWED
    db.run(accounts.set_active(people["theo"].id, True))
    db.run(accounts.set_role(people["theo"].id, Role.COORDINATOR))
    assert standing(db, draft).status is ReviewStatus.NOT_REVIEWED
    db.run(accounts.set_role(people["theo"].id, Role.THERAPIST))
    assert standing(db, draft).summary == "Approved by Theo"


def test_an_admins_review_stored_some_other_way_never_counts(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    """The routes refuse admins (403); the rule does not rely on it."""
    found = review(db, draft, people["ada"], APPROVED)
    assert found.counts is False
    assert standing(db, draft).status is ReviewStatus.NOT_REVIEWED
    assert db.run(reviews.reviews_of(draft)).items[0].counts is False


def test_a_request_for_changes_outweighs_another_therapists_approval_until_withdrawn(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    review(db, draft, people["tamsin"], APPROVED)
    review(db, draft, people["theo"], CHANGES, "Holds are unsafe in withdrawal.")
    assert standing(db, draft).summary == "Changes requested by Theo"

    review(db, draft, people["theo"], APPROVED)  # he reviews again: his latest word counts

    assert standing(db, draft).summary == "Approved by Tamsin and Theo"
    assert db.run(SessionReview.all().count()) == 3


def test_a_comment_is_required_to_request_changes_and_bounded(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    with pytest.raises(FieldError) as missing:
        review(db, draft, people["theo"], CHANGES, "   \n ")
    with pytest.raises(FieldError) as long:
        review(db, draft, people["theo"], APPROVED, "x" * 2001)
    assert (missing.value.field, long.value.field) == ("comment", "comment")
    assert db.run(SessionReview.all().count()) == 0
    kept = review(db, draft, people["theo"], CHANGES, "  Make the holds optional.\r\n ")
    assert kept.comment == "Make the holds optional."


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
def test_a_session_that_is_not_a_draft_is_not_reviewed(
    db: Orm, people: dict[str, User], status: Status
) -> None:
    session = db.run(make_session("Calm", db.run(make_asset(3)), status=status))
    with pytest.raises(CatalogConflict) as refused:
        review(db, session, people["theo"], APPROVED)
    assert refused.value.code == "not_a_draft"
    assert db.run(SessionReview.all().count()) == 0


def test_a_reviewed_draft_is_archived_not_deleted(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    review(db, draft, people["theo"], CHANGES, "Wrong recording.")
    with pytest.raises(CatalogConflict) as refused:
        db.run(drafts.delete_draft(draft.id))
    assert refused.value.code == "session_in_use"
    assert "1 clinical review" in refused.value.message
    assert stored(db, draft).status is Status.DRAFT


def test_drafts_to_review_are_listed_most_recently_changed_first_and_counted(
    db: Orm, people: dict[str, User]
) -> None:
    asset = db.run(make_asset(4))
    older = db.run(make_session("Older", asset))
    newer = db.run(make_session("Newer", asset))
    db.run(make_session("Live", asset, status=Status.PUBLISHED))
    edit(db, older, people["cora"], description="Changed last")
    review(db, newer, people["theo"], APPROVED)

    first = db.run(reviews.drafts_to_review(1, 1))
    second = db.run(reviews.drafts_to_review(2, 1))

    assert (first.total, first.pages) == (2, 2)
    assert [row.title for row in first.items + second.items] == ["Older", "Newer"]
    assert [row.standing.status for row in first.items + second.items] == [
        ReviewStatus.NOT_REVIEWED,
        ReviewStatus.APPROVED,
    ]
    assert db.run(reviews.awaiting_review_count()) == 1
    edit(db, newer, people["cora"], title="Newer, changed")
    assert db.run(reviews.awaiting_review_count()) == 2


# --- publishing ------------------------------------------------------------------------------


def publish(db: Orm, session: PracticeSession, who: User, **options: Any) -> Any:
    return db.run(publishing.publish(session, actor=who, now=LATER, **options))


def test_required_review_refuses_an_unapproved_draft_and_changes_nothing(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    with pytest.raises(CatalogConflict) as unreviewed:
        publish(db, draft, people["cora"], needs_review=True)
    review(db, draft, people["theo"], CHANGES, "Holds are unsafe in withdrawal.")
    with pytest.raises(CatalogConflict) as objected:
        publish(db, draft, people["cora"], needs_review=True)

    assert (unreviewed.value.code, objected.value.code) == ("review_required", "changes_requested")
    assert "no therapist has reviewed it" in unreviewed.value.message
    assert "Theo asked for changes to this version" in objected.value.message
    assert stored(db, draft).status is Status.DRAFT


def test_required_review_refuses_an_approval_the_edits_published_with_it_outdate(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    review(db, draft, people["theo"], APPROVED)
    with pytest.raises(CatalogConflict) as refused:
        publish(
            db,
            draft,
            people["cora"],
            needs_review=True,
            fields=SessionFields(description="Hold for eight."),
        )
    assert refused.value.code == "review_required"
    assert "it changed after its last review" in refused.value.message
    after = stored(db, draft)
    assert (after.status, after.description) == (Status.DRAFT, "")


def test_required_review_publishes_a_draft_an_active_therapist_approved_as_it_is(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    review(db, draft, people["theo"], APPROVED)
    published = publish(db, draft, people["cora"], needs_review=True)
    assert published.standing.status is ReviewStatus.APPROVED
    assert stored(db, draft).status is Status.PUBLISHED


def test_without_required_review_an_unapproved_draft_waits_for_the_coordinators_word(
    db: Orm, people: dict[str, User], draft: PracticeSession
) -> None:
    with pytest.raises(publishing.PublishUnconfirmed) as asked:
        publish(db, draft, people["cora"], needs_review=False, accepted=frozenset())
    assert asked.value.standing.status is ReviewStatus.NOT_REVIEWED
    assert stored(db, draft).status is Status.DRAFT

    review(db, draft, people["theo"], CHANGES, "Holds are unsafe in withdrawal.")
    with pytest.raises(publishing.PublishUnconfirmed):  # confirmed for another status than this
        publish(
            db,
            draft,
            people["cora"],
            needs_review=False,
            accepted=frozenset({ReviewStatus.NOT_REVIEWED}),
        )
    published = publish(
        db,
        draft,
        people["cora"],
        needs_review=False,
        accepted=frozenset({ReviewStatus.CHANGES_REQUESTED}),
    )
    assert published.standing.status is ReviewStatus.CHANGES_REQUESTED
    assert stored(db, draft).status is Status.PUBLISHED


def test_republishing_an_archived_session_is_not_a_reviews_matter(
    db: Orm, people: dict[str, User]
) -> None:
    archived = db.run(make_session("Old", db.run(make_asset(5)), status=Status.ARCHIVED))
    published = publish(db, archived, people["cora"], needs_review=True)
    assert stored(db, archived).status is Status.PUBLISHED
    assert published.standing.status is ReviewStatus.NOT_REVIEWED
