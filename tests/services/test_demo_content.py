"""The demo catalog: its clinical shape, its synthesised audio, and seeding it through the services.

The content tests are pure; the audio tests decode what the encoder wrote; one test seeds a
database with audio squeezed to 2% of its length so the suite stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.caseload.collection_progress import progress_of
from wellness.catalog import collection_reads, rules, saved
from wellness.catalog.kinds import Contraindication, Guidance, Kind, Status
from wellness.catalog.models import MediaAsset, PracticeSession, SavedSession
from wellness.catalog.search import CatalogQuery, search
from wellness.catalog.storage import LocalMediaStore
from wellness.catalog.validation import inspect_media
from wellness.demo import audio, seed
from wellness.demo.accounts import COORDINATOR_EMAIL
from wellness.demo.collections import DEMO_COLLECTIONS, PAT_FOLLOWS
from wellness.demo.content import (
    BELL_RING_SECONDS,
    DEMO_SESSIONS,
    AudioPlan,
    BreathPace,
    demo_session,
)
from wellness.demo.saved import DEMO_SAVED
from wellness.reviews import services as reviews
from wellness.settings import CarePolicy, SettingsError, load_settings
from wellness.system import services as system

SLOW_BREATHING = demo_session("slow-breathing-hard-moments")
FIVE_SENSES = demo_session("five-senses-grounding")
SUN_SALUTATIONS = demo_session("steady-sun-salutations")
BOX_BREATHING_DRAFT = demo_session("box-breathing-draft")
PUBLISHED = [session for session in DEMO_SESSIONS if session.status is Status.PUBLISHED]
# Features clinical.md rules out when distress is high (SUDS >= 7).
NOT_IN_DISTRESS = {
    Contraindication.BREATH_HOLD,
    Contraindication.FAST_BREATHING,
    Contraindication.VIGOROUS,
    Contraindication.LONG_SILENCE,
}


# --- the content -----------------------------------------------------------------------------


def test_the_demo_catalog_covers_every_kind_with_published_sessions() -> None:
    assert {session.kind for session in PUBLISHED} == set(Kind)
    assert len(PUBLISHED) >= 12


def test_coordinators_see_one_draft_and_one_archived_session() -> None:
    statuses = [session.status for session in DEMO_SESSIONS]
    assert statuses.count(Status.DRAFT) == 1
    assert statuses.count(Status.ARCHIVED) == 1


def test_sessions_run_from_three_to_twenty_minutes_with_several_long_enough_to_seek() -> None:
    minutes = [session.minutes for session in PUBLISHED]
    assert min(minutes) == 3
    assert max(minutes) == 20
    assert sum(1 for length in minutes if length >= 5) >= 2


@pytest.mark.parametrize("session", DEMO_SESSIONS, ids=lambda session: session.slug)
def test_every_session_passes_the_catalog_input_rules(session: Any) -> None:
    assert rules.clean_title(session.title) == session.title
    assert rules.clean_instructor(session.instructor) == session.instructor
    assert rules.clean_language(session.language) == session.language
    assert rules.clean_tags(session.tags) == list(session.tags)
    rules.check_anxiety_range(session.anxiety_min, session.anxiety_max)
    assert len(session.description) > 80
    assert len(session.transcript) > 150
    assert rules.clean_text("transcript", session.transcript, rules.MAX_TRANSCRIPT)


@pytest.mark.parametrize("session", DEMO_SESSIONS, ids=lambda session: session.slug)
def test_cues_run_in_order_and_leave_the_closing_bell_time_to_ring(session: Any) -> None:
    times = [cue.at for cue in session.cues]
    assert times[0] == 0
    assert times == sorted(set(times))
    assert times[-1] <= session.seconds - BELL_RING_SECONDS
    assert session.transcript.startswith("[0:00] ")


def test_slugs_and_titles_are_unique() -> None:
    assert len({session.slug for session in DEMO_SESSIONS}) == len(DEMO_SESSIONS)
    assert len({session.title for session in DEMO_SESSIONS}) == len(DEMO_SESSIONS)


def test_sessions_for_the_highest_distress_are_short_guided_breathing_or_grounding() -> None:
    acute = [session for session in PUBLISHED if session.anxiety_max == 10]
    assert {session.kind for session in acute} == {Kind.BREATHING, Kind.GROUNDING}
    for session in acute:
        assert 5 <= session.minutes <= 10, session.title
        assert session.guidance is Guidance.GUIDED, session.title


def test_sessions_suited_to_anxiety_of_seven_or_more_carry_no_contraindicated_feature() -> None:
    suited = [session for session in DEMO_SESSIONS if session.anxiety_max >= 7]
    assert len(suited) >= 4
    for session in suited:
        assert not NOT_IN_DISTRESS & set(session.contraindications), session.title


def test_long_silent_and_vigorous_sessions_are_marked_and_kept_for_low_anxiety() -> None:
    silent = [s for s in DEMO_SESSIONS if s.guidance is Guidance.SILENT and s.minutes >= 10]
    assert silent
    for session in silent:
        assert Contraindication.LONG_SILENCE in session.contraindications
        assert session.anxiety_max <= 3
    assert Contraindication.VIGOROUS in SUN_SALUTATIONS.contraindications


def test_breathing_sessions_pace_six_breaths_a_minute_with_the_longer_exhale() -> None:
    plan = SLOW_BREATHING.audio_plan()
    assert plan.breathing is not None
    assert plan.breathing.per_minute == pytest.approx(6)
    assert plan.breathing.exhale_seconds > plan.breathing.inhale_seconds
    # Five and a half minutes of breathing between the opening and closing bells.
    assert plan.breathing_cycles() == 32


# --- the audio -------------------------------------------------------------------------------


def _envelope(samples: Any, rate: int, window: float = 0.05) -> Any:
    size = round(rate * window)
    frames = len(samples) // size
    return np.sqrt((samples[: frames * size].reshape(frames, size) ** 2).mean(axis=1))


def _breath_timing(samples: Any, rate: int, window: float = 0.05) -> tuple[float, float, float]:
    """(breaths per minute, inhale seconds, exhale seconds) read from the loudness envelope."""
    envelope = _envelope(samples, rate, window)
    centred = envelope - envelope.mean()
    correlation = np.correlate(centred, centred, mode="full")[len(centred) - 1 :]
    shortest, longest = round(3 / window), round(20 / window)
    period = shortest + int(np.argmax(correlation[shortest:longest]))
    cycles = len(envelope) // period
    folded = envelope[: cycles * period].reshape(cycles, period).mean(axis=0)
    rise = (int(np.argmax(folded)) - int(np.argmin(folded))) % period
    return 60 / (period * window), rise * window, (period - rise) * window


def test_the_breathing_track_rises_for_four_seconds_and_falls_for_six(tmp_path: Path) -> None:
    plan = AudioPlan(seconds=120, breathing=BreathPace(), breathing_start=0, breathing_end=120)
    path = tmp_path / "breathing.mp3"
    audio.encode(plan, path)

    samples, rate = sf.read(path, dtype="float64")
    per_minute, inhale, exhale = _breath_timing(samples, rate)

    assert per_minute == pytest.approx(6, abs=0.3)
    assert inhale == pytest.approx(4, abs=0.4)
    assert exhale == pytest.approx(6, abs=0.4)
    assert audio.dbfs(float(np.abs(samples).max())) < -12
    assert inspect_media(path).duration_seconds == pytest.approx(120, abs=0.1)


@pytest.mark.parametrize(
    "session",
    [SLOW_BREATHING, FIVE_SENSES, BOX_BREATHING_DRAFT],
    ids=["breathing", "chimes", "bells"],
)
def test_tracks_are_quiet_start_and_end_in_silence_and_never_click(session: Any) -> None:
    samples = audio.render(session.audio_plan()).astype(np.float64)

    assert len(samples) == session.seconds * audio.SAMPLE_RATE
    assert audio.dbfs(float(np.abs(samples).max())) < -12
    assert abs(samples[0]) < 1e-3
    assert abs(samples[-1]) < 1e-3
    # A click is a jump between neighbouring samples; these tones never move that fast.
    assert float(np.abs(np.diff(samples)).max()) < 0.04


def test_an_encoded_track_is_reused_until_its_plan_changes(tmp_path: Path) -> None:
    plan = AudioPlan(seconds=3, bells_at=(0.5,))
    first = audio.cached_track(plan, tmp_path, "bell", title="Bell")
    written = first.stat().st_mtime_ns

    again = audio.cached_track(plan, tmp_path, "bell", title="Bell")
    longer = audio.cached_track(AudioPlan(seconds=4, bells_at=(0.5,)), tmp_path, "bell")

    assert again == first
    assert again.stat().st_mtime_ns == written
    assert longer != first
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([first.name, longer.name])


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "nan", "often"])
def test_a_bad_audio_scale_is_refused_naming_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="WELLNESS_DEMO_AUDIO_SCALE"):
        load_settings({"WELLNESS_DATA_DIR": str(tmp_path), "WELLNESS_DEMO_AUDIO_SCALE": value})


def test_the_audio_scale_defaults_to_full_length(tmp_path: Path) -> None:
    assert load_settings({"WELLNESS_DATA_DIR": str(tmp_path)}).demo_audio_scale == 1.0
    scaled = load_settings(
        {"WELLNESS_DATA_DIR": str(tmp_path), "WELLNESS_DEMO_AUDIO_SCALE": "0.02"}
    )
    assert scaled.demo_audio_scale == 0.02


# --- seeding ---------------------------------------------------------------------------------


def test_seeding_fills_the_catalog_with_playable_sessions_through_the_services(
    orm: Orm, tmp_path: Path
) -> None:
    store = LocalMediaStore(tmp_path / "media")

    orm.run(seed.seed_demo(store, audio_cache=tmp_path / "cache", audio_scale=0.02, now=TEST_NOW))

    sessions = orm.run(PracticeSession.all())
    assert len(sessions) == len(DEMO_SESSIONS)
    published = [session for session in sessions if session.status is Status.PUBLISHED]
    assert len(published) == len(PUBLISHED)
    assert {session.status for session in sessions} == set(Status)
    coordinator = orm.run(User.get(email=COORDINATOR_EMAIL))
    for session in published:
        asset = orm.run(MediaAsset.get(id=session.primary_asset_id))  # type: ignore[attr-defined]
        assert store.exists(asset.storage_key), session.title
        assert (asset.mime_type, asset.container, asset.channels) == ("audio/mpeg", "mp3", 1)
        assert session.duration_seconds == asset.duration_seconds > 0
        assert asset.uploaded_by_id == coordinator.id  # type: ignore[attr-defined]
        assert session.transcript
    grounding = orm.run(
        search(CatalogQuery(statuses=frozenset({Status.PUBLISHED}), text="grounding"))
    )
    assert {row.title for row in grounding.rows} >= {FIVE_SENSES.title}
    by_tag = orm.run(search(CatalogQuery(statuses=frozenset(Status), text="acute distress")))
    tagged = {session.title for session in DEMO_SESSIONS if "acute distress" in session.tags}
    assert tagged
    assert {row.title for row in by_tag.rows} >= tagged
    everything = orm.run(search(CatalogQuery(statuses=frozenset(Status), per_page=100)))
    assert everything.total == len(DEMO_SESSIONS)
    assert orm.run(system.is_demo_database()) is True
    draft = orm.run(PracticeSession.get(title=BOX_BREATHING_DRAFT.title))
    reviewed = orm.run(reviews.reviews_of(draft))
    assert reviewed.standing.summary == "Changes requested by Theo Therapist"
    assert [(item.reviewer_name, item.current) for item in reviewed.items] == [
        ("Theo Therapist", True),
        ("Tamsin Therapist", False),  # approved before the coordinator's edit
    ]
    assert "not safe during benzodiazepine withdrawal" in reviewed.items[0].comment
    patient = orm.run(User.get(email="patient@demo.wellness"))
    listed = orm.run(collection_reads.collections_page(patient, 1, 20)).items
    assert [card.title for card in listed] == sorted(
        demo.title for demo in DEMO_COLLECTIONS if demo.status is Status.PUBLISHED
    )
    first_week = next(card for card in listed if card.title == "First week: steadying")
    titles = dict(orm.run(PracticeSession.all().values_list("id", "title")))
    assert [titles[session_id] for session_id in first_week.session_ids] == [
        demo_session(slug).title for slug in DEMO_COLLECTIONS[0].slugs
    ]
    every_status = orm.run(collection_reads.collections_page(coordinator, 1, 20))
    assert every_status.total == len(DEMO_COLLECTIONS)
    # Pat follows two collections, with some of each done and something next.
    following = orm.run(progress_of(patient, policy=CarePolicy()))
    assert sorted(item.title for item in following) == sorted(title for title, _ in PAT_FOLLOWS)
    assert all(0 < item.done < item.total and item.next_session_id for item in following)
    kept = orm.run(saved.saved_page(patient.id, CatalogQuery(frozenset(Status)))).found.items
    assert [item.row.title for item in kept] == [
        demo_session(slug).title for slug, _ in reversed(DEMO_SAVED)
    ]
    assert [item.row.status for item in kept] == [Status.PUBLISHED] * 3 + [Status.ARCHIVED]
    others = orm.run(User.filter(email__not="patient@demo.wellness").values_list("id", flat=True))
    assert orm.run(SavedSession.filter(patient_id__in=list(others)).count()) == 0


def test_published_demo_collections_hold_only_what_suits_acute_distress_or_is_gentle() -> None:
    """No breath holds, vigorous or standing practice or long silence in what patients see."""
    for demo in DEMO_COLLECTIONS:
        if demo.status is not Status.PUBLISHED:
            continue
        for slug in demo.slugs:
            session = demo_session(slug)
            assert session.status is Status.PUBLISHED, slug
            assert not set(session.contraindications), slug
