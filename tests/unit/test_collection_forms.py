"""Reading the collection editor's form: each button names its step, the list travels in order,
and whatever cannot be read is an error beside its field, never a server error."""

from __future__ import annotations

import pytest
from litestar.datastructures import FormMultiDict

from wellness.web.pages.collection_forms import EditorForm, Step, read_editor


def form(*pairs: tuple[str, str]) -> FormMultiDict:
    return FormMultiDict(list(pairs))


def test_it_reads_the_list_in_order_and_the_button_pressed() -> None:
    read = read_editor(
        form(("title", "Week"), ("session_ids", "3"), ("session_ids", "1"), ("edit", "up-1"))
    )

    assert (read.title, read.session_ids, read.step, read.target) == ("Week", (3, 1), Step.UP, 1)
    assert read.errors == {}
    assert read.changed().session_ids == (1, 3)


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("add-9", (3, 1, 9)),
        ("add-3", (3, 1)),
        ("down-0", (1, 3)),
        ("down-1", (3, 1)),
        ("remove-0", (1,)),
        ("remove-5", (3, 1)),
        ("find", (3, 1)),
        ("", (3, 1)),
    ],
)
def test_each_step_changes_the_list_it_carries_and_nothing_else(
    step: str, expected: tuple[int, ...]
) -> None:
    read = read_editor(
        form(("title", "Kept"), ("session_ids", "3"), ("session_ids", "1"), ("edit", step))
    )

    changed = read.changed()

    assert changed.session_ids == expected
    assert (changed.title, changed.step, changed.saving) == ("Kept", Step.FIND, False)


@pytest.mark.parametrize("raw", ["٩", "²", "0", "-1", "1" * 11, "2147483648", "x"])
def test_an_id_that_cannot_be_read_is_an_error_beside_the_list(raw: str) -> None:
    read = read_editor(form(("session_ids", "4"), ("session_ids", raw), ("edit", "save")))

    assert read.session_ids == (4,)
    assert "session_ids" in read.errors


@pytest.mark.parametrize("raw", ["sideways-1", "up-", "up-٩", "add-99999999999", "save-now-"])
def test_a_button_the_form_does_not_have_is_an_error_not_a_step(raw: str) -> None:
    read = read_editor(form(("edit", raw)))

    assert read.step is Step.FIND
    assert "That button is not one of this form's" in read.errors["session_ids"]


def test_saving_asks_for_what_is_on_screen() -> None:
    read = read_editor(
        form(("title", "A"), ("description", "B"), ("session_ids", "2"), ("edit", "save"))
    )

    assert read.saving
    assert read.asked() == b'["A","B",[2]]'
    assert read.fields().session_ids == [2]
    assert EditorForm(step=Step.PUBLISH).saving
