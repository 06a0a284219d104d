"""Timed transcripts: reading stamps, refusing bad ones, grouping by moment, WebVTT captions."""

from __future__ import annotations

import pytest

from wellness.catalog import rules, transcripts
from wellness.catalog.transcripts import Paragraph, Section

DEMO_LIKE = (
    "[0:00] A bell. Welcome.\n\n"
    "[0:10] The tone begins.\n\n"
    "Breathe out slowly.\n\n"
    "[6:00] Let the body grow heavier."
)


# --- reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stamp", "seconds"),
    [
        ("[0:00]", 0),
        ("[0:05]", 5),
        ("[6:00]", 360),
        ("[06:00]", 360),
        ("[59:59]", 3599),
        ("[1:05:00]", 3900),
        ("[0:06:00]", 360),
        ("[12:00:01]", 43201),
    ],
)
def test_it_reads_minutes_seconds_and_hours(stamp: str, seconds: int) -> None:
    assert transcripts.parse_stamp(stamp) == seconds


def test_a_paragraph_beginning_with_a_stamp_starts_then() -> None:
    parsed = transcripts.paragraphs(DEMO_LIKE)

    assert parsed == [
        Paragraph("A bell. Welcome.", 0, "[0:00]"),
        Paragraph("The tone begins.", 10, "[0:10]"),
        Paragraph("Breathe out slowly."),
        Paragraph("Let the body grow heavier.", 360, "[6:00]"),
    ]
    assert [paragraph.stamp for paragraph in parsed] == ["0:00", "0:10", "", "6:00"]
    assert transcripts.is_timed(parsed)


def test_a_stamp_at_zero_is_a_stamp() -> None:
    [paragraph] = transcripts.paragraphs("[0:00] Begin.")

    assert (paragraph.start, paragraph.text) == (0, "Begin.")
    assert transcripts.is_timed([paragraph])


def test_windows_line_endings_and_trailing_spaces_split_the_same_paragraphs() -> None:
    typed = "[0:00] One.   \r\n  \r\n[0:30] Two,\r\nstill two.  \r\n\r\n\r\n[1:00] Three.\r\n"

    parsed = transcripts.paragraphs(typed)

    assert parsed == [
        Paragraph("One.", 0, "[0:00]"),
        Paragraph("Two,\nstill two.", 30, "[0:30]"),
        Paragraph("Three.", 60, "[1:00]"),
    ]


def test_an_untimed_transcript_has_no_sections_and_no_captions() -> None:
    text = "Breathe in for four counts.\n\n[Music] Rest your hands.\n\n[1] A footnote."

    assert not transcripts.is_timed(transcripts.paragraphs(text))
    assert transcripts.timed_sections(text) is None
    assert transcripts.webvtt(text, 600) is None
    assert transcripts.problem(text, 600) is None


def test_a_stamp_is_only_a_stamp_at_the_start_of_a_paragraph() -> None:
    [paragraph] = transcripts.paragraphs("At [2:00] the bell rings.")

    assert paragraph.start is None


def test_paragraphs_without_a_stamp_belong_to_the_moment_above() -> None:
    sections = transcripts.timed_sections("Read this first.\n\n" + DEMO_LIKE)

    assert sections == [
        Section(None, (Paragraph("Read this first."),)),
        Section(0, (Paragraph("A bell. Welcome.", 0, "[0:00]"),)),
        Section(
            10,
            (Paragraph("The tone begins.", 10, "[0:10]"), Paragraph("Breathe out slowly.")),
        ),
        Section(360, (Paragraph("Let the body grow heavier.", 360, "[6:00]"),)),
    ]


def test_a_repeated_stamp_joins_the_moment_it_repeats() -> None:
    sections = transcripts.timed_sections("[0:00] One.\n\n[0:00] Same moment.\n\n[0:20] Next.")

    assert sections is not None
    assert [(section.start, len(section.paragraphs)) for section in sections] == [(0, 2), (20, 1)]


# --- refusing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        ("[1:75]", "seconds run from 00 to 59"),
        ("[75:00]", "after 59 minutes, write hours too, as in [1:15:00]"),
        ("[1:60:00]", "minutes run from 00 to 59"),
        ("[1:5]", "write minutes:seconds such as [6:00]"),
        ("[1:5:00]", "write minutes:seconds such as [6:00]"),
        ("[6:00.5]", "write minutes:seconds"),
        ("[ 6:00 ]", "write minutes:seconds"),
        ("[123:00]", "write minutes:seconds"),
        ("[1:00:00:00]", "write minutes:seconds"),
    ],
)
def test_a_malformed_stamp_is_named_with_the_reason(stamp: str, reason: str) -> None:
    found = transcripts.problem(f"[0:00] Start.\n\n{stamp} Then.", 0)

    assert found is not None
    assert found.startswith(f"{stamp} is not a time: ")
    assert reason in found


def test_a_malformed_stamp_is_shown_as_text_meanwhile() -> None:
    [paragraph] = transcripts.paragraphs("[1:75] Old text.")

    assert paragraph == Paragraph("[1:75] Old text.")


def test_stamps_out_of_order_are_refused_naming_both() -> None:
    text = "[0:00] One.\n\n[4:00] Two.\n\nUnstamped.\n\n[3:00] Three."

    assert transcripts.problem(text, 0) == (
        "[3:00] comes before [4:00] above it: keep the stamps in order."
    )


def test_a_repeated_stamp_is_not_out_of_order() -> None:
    assert transcripts.problem("[0:10] One.\n\n[0:10] Two.", 0) is None


def test_a_stamp_past_the_end_of_the_recording_is_refused() -> None:
    text = "[0:00] One.\n\n[12:00] Too late."

    assert transcripts.problem(text, 600.0) == (
        "[12:00] comes after the end of the recording (10:00)."
    )


def test_the_end_is_shown_in_whole_seconds_rounded_down() -> None:
    assert transcripts.problem("[10:00] At the end?", 599.98) == (
        "[10:00] comes after the end of the recording (9:59)."
    )


def test_a_stamp_at_the_very_end_is_kept() -> None:
    assert transcripts.problem("[0:00] One.\n\n[10:00] The end.", 600.0) is None


def test_with_the_length_unknown_only_form_and_order_are_checked() -> None:
    assert transcripts.problem("[0:00] One.\n\n[5:00:00] Much later.", 0) is None


def test_the_first_problem_is_the_one_named() -> None:
    text = "[0:00] One.\n\n[1:75] Bad.\n\n[0:30] Out of order.\n\n[99:00:00] Late."

    assert transcripts.problem(text, 60) == ("[1:75] is not a time: seconds run from 00 to 59.")


def test_the_catalog_rule_names_the_transcript_field() -> None:
    with pytest.raises(rules.CatalogError) as refused:
        rules.check_transcript_stamps("[12:00] Late.", 600)

    assert refused.value.field == "transcript"
    assert refused.value.message == "[12:00] comes after the end of the recording (10:00)."
    rules.check_transcript_stamps("No stamps at all.", 600)


# --- captions ----------------------------------------------------------------------------------


def test_each_cue_runs_until_just_before_the_next_and_the_last_to_the_end() -> None:
    # A millisecond apart: Chromium would show two captions when the player stands on a stamp.
    captions = transcripts.webvtt(DEMO_LIKE, 420.5)

    assert captions == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:09.999\nA bell. Welcome.\n\n"
        "00:00:10.000 --> 00:05:59.999\nThe tone begins.\nBreathe out slowly.\n\n"
        "00:06:00.000 --> 00:07:00.500\nLet the body grow heavier.\n"
    )


def test_hours_are_written_in_cue_times() -> None:
    captions = transcripts.webvtt("[59:00] Nearly.\n\n[1:00:00] An hour.", 3723.25)

    assert captions is not None
    assert "00:59:00.000 --> 00:59:59.999\nNearly." in captions
    assert "01:00:00.000 --> 01:02:03.250\nAn hour." in captions


def test_cue_text_is_escaped_so_it_cannot_end_a_cue_or_open_a_tag() -> None:
    text = "[0:00] Breathe <b>in</b> & out --> slowly.\n\n[0:10] Next."

    captions = transcripts.webvtt(text, 20)

    assert captions is not None
    assert "\nBreathe &lt;b&gt;in&lt;/b&gt; &amp; out --&gt; slowly.\n" in captions
    assert captions.count("-->") == 2  # the two timing lines only


def test_text_before_the_first_stamp_and_empty_moments_have_no_cue() -> None:
    text = "A note for readers.\n\n[0:05]\n\n[0:10] Said.\n\n[0:20] Gone, past the end."

    assert transcripts.webvtt(text, 15) == ("WEBVTT\n\n00:00:10.000 --> 00:00:15.000\nSaid.\n")


def test_a_line_of_spaces_inside_a_paragraph_never_leaves_a_blank_line_in_a_cue() -> None:
    captions = transcripts.webvtt("[0:00] One\n \t\nstill one?", 5)

    assert captions is not None
    assert "\n\n\n" not in captions
    # A line of spaces is a blank line: two paragraphs, the second belongs to the first's cue.
    assert captions.endswith("00:00:00.000 --> 00:00:05.000\nOne\nstill one?\n")


def test_with_the_length_unknown_the_last_cue_is_left_out() -> None:
    assert transcripts.webvtt("[0:00] One.\n\n[0:30] Two.", 0) == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:29.999\nOne.\n"
    )
