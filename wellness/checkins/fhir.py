"""A patient's measurements and practice as an HL7 FHIR R4 `Bundle` (type `collection`), for a
clinic's EHR. Pure: the standard library and msgspec (the Structs that are the JSON), no I/O;
the records and `now` are arguments.

1. The patient: one `Patient` with the app's id as an identifier and the display name, nothing
   more (no e-mail, no birth date, no time zone).
2. Each GAD-7: a `QuestionnaireResponse` (the LOINC form 69737-5; each item's `linkId` is its
   LOINC code, each answer a LOINC answer code with its score as `ordinalValue`) and an
   `Observation` of its total (category `survey`, LOINC 70274-6, `valueInteger`, the band as
   interpretation text, `derivedFrom` the response).
3. Each practice: a `Procedure` the patient performed, coded by its kind in the app's own code
   system (the session's title or the name of an Other practice beside the kind in `code.text`),
   its status from the app's own judgement (`PracticeFacts`, `procedure_status`), its
   `performedPeriod` from its start for the seconds listened or logged, and how the app knows
   of it as a note ("Self-reported", and the patient its `asserter`, when logged by hand; R4's
   Procedure has no `reported[x]`, R5's has). Nothing the patient did not do: assignments are
   not practice.
4. Each SUDS rating: an `Observation` coded in the app's own code system (LOINC has no code for
   SUDS), `valueInteger` 0-10, and a component per side of a practice it stands on (before,
   after) or that it was a check-in of its own. A rating around a practice is `partOf` that
   practice's `Procedure` (R4 allows Observation.partOf a Procedure): its `urn:uuid:` when the
   practice is in the bundle, else by the practice's identifier (a practice begun just outside
   the period), so a receiver holding it from another export can still match it.
5. Each alert the app raised (high distress, a severe GAD-7, markedly worse after a session):
   a `Flag` (category `clinical`), coded by its reason in the app's own code system with the
   level in plain words as `code.text`, `active` while open and `inactive` once a clinician
   acknowledged it, its `period` from when it was raised to when it was acknowledged. The rating
   or GAD-7 that raised it is its `flag-detail` (R4's Flag has no `evidence`): its `urn:uuid:`
   when in the bundle, else its identifier (a rating given just before the period). Who
   acknowledged it and their note stay in the app: the patient's own download is the same file.
6. Times are instants in UTC with their offset (`2026-11-24T14:30:00+00:00`). Identifier and
   code systems are URIs under the clinic's public address (`base_url`); entries' `fullUrl`s are
   `urn:uuid:`s derived from those, so the same record has the same one in every export.

Codes checked against LOINC's form for 69737-5 (as LHC-Forms renders it) and HL7's Personal
Health Record IG: item 68509-9 has its own answer list, whose score-2 answer is LA18938-3
"More days than not" (the other items' is LA6570-1 "More than half the days").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal
from uuid import NAMESPACE_URL, uuid5

import msgspec

from wellness.care.policy import AlertReason
from wellness.checkins.scales import SUDS_MAX, SUDS_MIN
from wellness.checkins.scoring import (
    GAD7_BANDS,
    GAD7_ITEMS,
    GAD7_MAX,
    CheckinContext,
    Gad7Band,
)
from wellness.practice.rules import Evidence, PracticeKind

MEDIA_TYPE: Final = "application/fhir+json"
LOINC: Final = "http://loinc.org"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/flag-category"
# The core extension pointing a Flag at the record it rests on: R4's Flag has no element for it.
FLAG_DETAIL: Final = "http://hl7.org/fhir/StructureDefinition/flag-detail"
# R4's extension for the score of a coded answer (R5 calls it itemWeight).
ORDINAL_VALUE: Final = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
# LOINC's canonical URL for its GAD-7 form.
GAD7_QUESTIONNAIRE: Final = "http://loinc.org/q/69737-5"
GAD7_TOTAL_CODE: Final = "70274-6"
GAD7_TOTAL_DISPLAY: Final = "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"
# The seven items' LOINC codes, in the order of `scoring.GAD7_ITEMS`.
GAD7_ITEM_CODES: Final = (
    "69725-0",
    "68509-9",
    "69733-4",
    "69734-2",
    "69735-9",
    "69689-8",
    "69736-7",
)
# LOINC answer codes by score (0-3), with LOINC's display of each.
GAD7_ANSWER_CODES: Final = (
    ("LA6568-5", "Not at all"),
    ("LA6569-3", "Several days"),
    ("LA6570-1", "More than half the days"),
    ("LA6571-9", "Nearly every day"),
)
# An item whose LOINC answer list differs: item 2 (68509-9) scores 2 with "More days than not".
_ITEM_ANSWER_CODES: Final = {1: {2: ("LA18938-3", "More days than not")}}
SUDS_TEXT: Final = f"Subjective Units of Distress ({SUDS_MIN}-{SUDS_MAX})"
SUDS_CODE: Final = "suds"
SUDS_CONTEXT_CODE: Final = "suds-context"
_CONTEXT_DISPLAYS: Final = {
    CheckinContext.QUICK: "At a check-in, not linked to a practice session",
    CheckinContext.BEFORE_SESSION: "Before a practice session",
    CheckinContext.AFTER_SESSION: "After a practice session",
}


class _Element(msgspec.Struct, kw_only=True, omit_defaults=True, rename="camel"):
    """FHIR JSON: camelCase names, and an element left out rather than null or empty (FHIR
    allows neither). Required elements have no default, so they are always written."""


class Extension(_Element):
    url: str
    value_decimal: int


class Coding(_Element):
    system: str
    code: str
    display: str | None = None
    extension: tuple[Extension, ...] = ()


class CodeableConcept(_Element):
    coding: tuple[Coding, ...] = ()
    text: str | None = None


class Identifier(_Element):
    system: str
    value: str


class Reference(_Element):
    """A literal reference (`reference`, an entry's `fullUrl`), or a logical one (`type` and
    `identifier`) to a record that is not in the bundle."""

    reference: str | None = None
    type: str | None = None
    identifier: Identifier | None = None


class HumanName(_Element):
    text: str


class Patient(_Element, tag_field="resourceType", tag="Patient"):
    identifier: tuple[Identifier, ...]
    name: tuple[HumanName, ...]


class Answer(_Element):
    value_coding: Coding


class ResponseItem(_Element):
    link_id: str
    text: str
    answer: tuple[Answer, ...]


class QuestionnaireResponse(_Element, tag_field="resourceType", tag="QuestionnaireResponse"):
    identifier: Identifier
    questionnaire: str
    status: Literal["completed"]
    subject: Reference
    authored: str
    author: Reference
    source: Reference
    item: tuple[ResponseItem, ...]


class Component(_Element):
    code: CodeableConcept
    value_codeable_concept: CodeableConcept


class Observation(_Element, tag_field="resourceType", tag="Observation"):
    identifier: tuple[Identifier, ...]
    status: Literal["final"]
    category: tuple[CodeableConcept, ...]
    code: CodeableConcept
    subject: Reference
    effective_date_time: str
    issued: str
    performer: tuple[Reference, ...]
    value_integer: int
    interpretation: tuple[CodeableConcept, ...] = ()
    derived_from: tuple[Reference, ...] = ()
    part_of: tuple[Reference, ...] = ()
    component: tuple[Component, ...] = ()


class Period(_Element):
    start: str
    end: str | None = None  # left out while it goes on


class Performer(_Element):
    actor: Reference


class Annotation(_Element):
    text: str


ProcedureStatus = Literal["completed", "in-progress", "stopped"]


class Procedure(_Element, tag_field="resourceType", tag="Procedure"):
    identifier: tuple[Identifier, ...]
    status: ProcedureStatus
    code: CodeableConcept
    subject: Reference
    performed_period: Period
    performer: tuple[Performer, ...]
    asserter: Reference | None = None  # who says it happened: the patient, for a self-report
    note: tuple[Annotation, ...] = ()


class DetailExtension(_Element):
    """`flag-detail`: the record a Flag rests on."""

    url: str
    value_reference: Reference


FlagStatus = Literal["active", "inactive"]


class Flag(_Element, tag_field="resourceType", tag="Flag"):
    identifier: tuple[Identifier, ...]
    status: FlagStatus
    category: tuple[CodeableConcept, ...]
    code: CodeableConcept
    subject: Reference
    period: Period
    extension: tuple[DetailExtension, ...] = ()


class BundleEntry(_Element):
    full_url: str
    resource: Patient | QuestionnaireResponse | Procedure | Observation | Flag


class Bundle(_Element, tag_field="resourceType", tag="Bundle"):
    type: Literal["collection"]
    timestamp: str
    entry: tuple[BundleEntry, ...]


@dataclass(frozen=True, slots=True)
class PatientFacts:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Gad7Facts:
    id: int
    answers: tuple[int, ...]  # 0-3 each, in the order of `GAD7_ITEMS`
    total: int
    band: Gad7Band
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class RatingFacts:
    """One SUDS rating, once: a practice's copy of a check-in (`adopted_from_id`) is not one."""

    id: int
    level: int
    context: CheckinContext
    # The practice whose link it holds (its before or after rating), if any.
    practice_id: int | None
    # For a check-in that counted as the after rating of a practice (a copy holds that link).
    closed_practice_id: int | None
    occurred_at: datetime
    recorded_at: datetime

    @property
    def linked_to_practice(self) -> bool:
        return self.practice_id is not None

    @property
    def closed_practice(self) -> bool:
        return self.closed_practice_id is not None

    @property
    def practices(self) -> tuple[int, ...]:
        """The practices it stands around, in the order of `sides`."""
        found = [self.closed_practice_id, self.practice_id]
        return tuple(dict.fromkeys(found_id for found_id in found if found_id is not None))

    @property
    def sides(self) -> tuple[CheckinContext, ...]:
        """Where it stands: after a practice, before one (a check-in can be both: after the
        one it followed, before the next that took it), or at a check-in of its own."""
        if self.context is not CheckinContext.QUICK:
            return (self.context,)
        sides = [CheckinContext.AFTER_SESSION] if self.closed_practice else []
        if self.linked_to_practice:
            sides.append(CheckinContext.BEFORE_SESSION)
        return tuple(sides) or (CheckinContext.QUICK,)


@dataclass(frozen=True, slots=True)
class PracticeFacts:
    """One practice as the app judges it now: the practice domain's rules decide `complete`
    (`rules.log_counts_as_complete`, the clinic's completion rule) and `still_open`
    (`rules.is_open`: played here, resumable, not yet rated after)."""

    id: int
    kind: PracticeKind
    other_label: str  # the patient's name for a practice of kind Other, else ""
    title: str | None  # the catalog session's, for a practice of one
    evidence: Evidence
    started_at: datetime
    seconds: int  # listened, or the length logged or confirmed
    complete: bool
    still_open: bool


AlertSource = Literal["checkin", "gad7"]


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """An alert as far as it leaves the app: why, the level that raised it, from which record,
    when it was raised and when acknowledged. Who acknowledged it and their note are not here:
    they are the care team's, and the patient downloads the same bundle."""

    id: int
    reason: AlertReason
    value: int
    source: AlertSource | None  # None for a source this builder does not know
    source_id: int
    raised_at: datetime
    acknowledged_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


# How the app knows of a practice, as a Procedure's note.
EVIDENCE_NOTES: Final = {
    Evidence.SELF_REPORT: "Self-reported",
    Evidence.OBSERVED_PLAYBACK: "Played in the app",
    Evidence.STAFF_ATTESTED: "Attendance confirmed by clinic staff",
}
PRACTICE_KIND_CODE: Final = "practice-kind"


def procedure_status(practice: PracticeFacts) -> ProcedureStatus:
    """`completed` when the completion rule counts it; else `in-progress` while a play here is
    still open (the patient can resume it, and its after rating is on offer, so it has not
    stopped), else `stopped`: begun and ended before counting as complete."""
    if practice.complete:
        return "completed"
    return "in-progress" if practice.still_open else "stopped"


def practice_text(practice: PracticeFacts) -> str:
    """The kind, and what the practice was beside it: the session's title, or the name the
    patient gave a practice of kind Other ("Breathing: Slow exhale", "Other: Walk", "Yoga")."""
    detail = practice.title or (practice.other_label if practice.kind is PracticeKind.OTHER else "")
    return f"{practice.kind.label}: {detail}" if detail else practice.kind.label


ALERT_REASON_CODE: Final = "alert-reason"
# Each reason's level in plain words, after its label ("High distress rating: 8/10").
_ALERT_LEVELS: Final = {
    AlertReason.HIGH_DISTRESS: f"{{value}}/{SUDS_MAX}",
    AlertReason.SEVERE_GAD7: f"{{value}}/{GAD7_MAX}",
    AlertReason.WORSE_AFTER_SESSION: f"rated {{value}}/{SUDS_MAX} after it",
}


def alert_text(alert: AlertFacts) -> str:
    """The reason and the level that raised it: "High distress rating: 8/10", "GAD-7 in the
    severe range: 16/21", "Markedly worse after a session: rated 9/10 after it"."""
    return f"{alert.reason.label}: {_ALERT_LEVELS[alert.reason].format(value=alert.value)}"


def instant(moment: datetime) -> str:
    """A FHIR instant/dateTime: UTC, to the second, with its offset."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def answer_coding(item: int, score: int) -> Coding:
    """The LOINC answer to GAD-7 item `item` (0-6) scoring `score` (0-3), with the score."""
    code, display = _ITEM_ANSWER_CODES.get(item, {}).get(score, GAD7_ANSWER_CODES[score])
    weight = Extension(url=ORDINAL_VALUE, value_decimal=score)
    return Coding(system=LOINC, code=code, display=display, extension=(weight,))


def band_text(band: Gad7Band) -> str:
    lowest, highest = GAD7_BANDS[band]
    return f"{band.label} anxiety (GAD-7 {lowest}-{highest})"


@dataclass(frozen=True, slots=True)
class _Systems:
    """The URIs under the clinic's public address: identifiers, codes, entries' `fullUrl`s."""

    base: str

    def identifier(self, kind: str, record_id: int) -> Identifier:
        return Identifier(system=f"{self.base}/fhir/sid/{kind}", value=str(record_id))

    def full_url(self, kind: str, record_id: int) -> str:
        return f"urn:uuid:{uuid5(NAMESPACE_URL, f'{self.base}/fhir/{kind}/{record_id}')}"

    def code(self, code: str, display: str) -> Coding:
        return Coding(system=f"{self.base}/fhir/CodeSystem/measure", code=code, display=display)

    def context(self, side: CheckinContext) -> Coding:
        system = f"{self.base}/fhir/CodeSystem/{SUDS_CONTEXT_CODE}"
        return Coding(system=system, code=side.value, display=_CONTEXT_DISPLAYS[side])

    def practice_kind(self, kind: PracticeKind) -> Coding:
        system = f"{self.base}/fhir/CodeSystem/{PRACTICE_KIND_CODE}"
        return Coding(system=system, code=kind.value, display=kind.label)

    def alert_reason(self, reason: AlertReason) -> Coding:
        system = f"{self.base}/fhir/CodeSystem/{ALERT_REASON_CODE}"
        return Coding(system=system, code=reason.value, display=reason.label)


SURVEY: Final = CodeableConcept(
    coding=(Coding(system=OBSERVATION_CATEGORY, code="survey", display="Survey"),)
)
CLINICAL_FLAG: Final = CodeableConcept(
    coding=(Coding(system=FLAG_CATEGORY, code="clinical", display="Clinical"),)
)


def bundle(
    patient: PatientFacts,
    gad7: Sequence[Gad7Facts],
    ratings: Sequence[RatingFacts],
    *,
    practices: Sequence[PracticeFacts] = (),
    alerts: Sequence[AlertFacts] = (),
    base_url: str,
    now: datetime,
) -> Bundle:
    """The patient, then each GAD-7 (its response, then its total), then each practice, then
    each SUDS rating, then each alert, in the order given (oldest first, as the services read
    them)."""
    systems = _Systems(base_url.rstrip("/"))
    patient_url = systems.full_url("Patient", patient.id)
    entries = [
        BundleEntry(
            full_url=patient_url,
            resource=Patient(
                identifier=(systems.identifier("patient", patient.id),),
                name=(HumanName(text=patient.name),),
            ),
        )
    ]
    subject = Reference(reference=patient_url)
    for response in gad7:
        entries += _gad7_entries(response, subject, systems)
    entries += [_practice_entry(practice, subject, systems) for practice in practices]
    exported = frozenset(practice.id for practice in practices)
    entries += [_rating_entry(rating, subject, systems, exported) for rating in ratings]
    sources: _Sources = {
        "checkin": frozenset(rating.id for rating in ratings),
        "gad7": frozenset(response.id for response in gad7),
    }
    entries += [_alert_entry(alert, subject, systems, sources) for alert in alerts]
    return Bundle(type="collection", timestamp=instant(now), entry=tuple(entries))


def _gad7_entries(response: Gad7Facts, subject: Reference, systems: _Systems) -> list[BundleEntry]:
    response_url = systems.full_url("QuestionnaireResponse", response.id)
    items = tuple(
        ResponseItem(
            link_id=code, text=text, answer=(Answer(value_coding=answer_coding(index, score)),)
        )
        for index, (code, text, score) in enumerate(
            zip(GAD7_ITEM_CODES, GAD7_ITEMS, response.answers, strict=True)
        )
    )
    answered = QuestionnaireResponse(
        identifier=systems.identifier("gad7-response", response.id),
        questionnaire=GAD7_QUESTIONNAIRE,
        status="completed",
        subject=subject,
        authored=instant(response.occurred_at),
        author=subject,
        source=subject,
        item=items,
    )
    total = Observation(
        identifier=(systems.identifier("gad7-total", response.id),),
        status="final",
        category=(SURVEY,),
        code=CodeableConcept(
            coding=(Coding(system=LOINC, code=GAD7_TOTAL_CODE, display=GAD7_TOTAL_DISPLAY),),
            text="GAD-7 total score",
        ),
        subject=subject,
        effective_date_time=instant(response.occurred_at),
        issued=instant(response.recorded_at),
        performer=(subject,),
        value_integer=response.total,
        interpretation=(CodeableConcept(text=band_text(response.band)),),
        derived_from=(Reference(reference=response_url),),
    )
    return [
        BundleEntry(full_url=response_url, resource=answered),
        BundleEntry(
            full_url=systems.full_url("Observation/gad7-total", response.id), resource=total
        ),
    ]


def _practice_entry(practice: PracticeFacts, subject: Reference, systems: _Systems) -> BundleEntry:
    status = procedure_status(practice)
    # In UTC: added to a local time, the seconds would be wall-clock time across a DST change.
    ended = practice.started_at.astimezone(UTC) + timedelta(seconds=practice.seconds)
    procedure = Procedure(
        identifier=(systems.identifier("practice", practice.id),),
        status=status,
        code=CodeableConcept(
            coding=(systems.practice_kind(practice.kind),), text=practice_text(practice)
        ),
        subject=subject,
        performed_period=Period(
            start=instant(practice.started_at),
            end=None if status == "in-progress" else instant(ended),
        ),
        performer=(Performer(actor=subject),),
        asserter=subject if practice.evidence is Evidence.SELF_REPORT else None,
        note=(Annotation(text=EVIDENCE_NOTES[practice.evidence]),),
    )
    return BundleEntry(full_url=systems.full_url("Procedure", practice.id), resource=procedure)


def _practice_reference(practice_id: int, systems: _Systems, exported: frozenset[int]) -> Reference:
    """The practice's entry, or, for one outside the period, its identifier."""
    if practice_id in exported:
        return Reference(reference=systems.full_url("Procedure", practice_id))
    return Reference(type="Procedure", identifier=systems.identifier("practice", practice_id))


def _rating_entry(
    rating: RatingFacts, subject: Reference, systems: _Systems, exported: frozenset[int]
) -> BundleEntry:
    context = CodeableConcept(
        coding=(systems.code(SUDS_CONTEXT_CODE, "When the rating was given"),),
        text="When the rating was given",
    )
    observation = Observation(
        identifier=(systems.identifier("suds-rating", rating.id),),
        status="final",
        category=(SURVEY,),
        code=CodeableConcept(coding=(systems.code(SUDS_CODE, SUDS_TEXT),), text=SUDS_TEXT),
        subject=subject,
        effective_date_time=instant(rating.occurred_at),
        issued=instant(rating.recorded_at),
        performer=(subject,),
        value_integer=rating.level,
        part_of=tuple(
            _practice_reference(practice_id, systems, exported) for practice_id in rating.practices
        ),
        component=tuple(
            Component(
                code=context,
                value_codeable_concept=CodeableConcept(
                    coding=(systems.context(side),), text=_CONTEXT_DISPLAYS[side]
                ),
            )
            for side in rating.sides
        ),
    )
    return BundleEntry(
        full_url=systems.full_url("Observation/suds", rating.id), resource=observation
    )


# The ids of the records in the bundle an alert can rest on, by their kind.
_Sources = dict[AlertSource, frozenset[int]]
# By source: the resource type, its entry's kind for `full_url`, its identifier's kind.
_SOURCE_RESOURCES: Final[dict[AlertSource, tuple[str, str, str]]] = {
    "checkin": ("Observation", "Observation/suds", "suds-rating"),
    "gad7": ("QuestionnaireResponse", "QuestionnaireResponse", "gad7-response"),
}


def _source_reference(alert: AlertFacts, systems: _Systems, sources: _Sources) -> Reference | None:
    """The rating or GAD-7 response that raised the alert: its entry when in the bundle, else
    (given before the period) its identifier."""
    if alert.source is None:
        return None
    resource_type, entry_kind, identifier_kind = _SOURCE_RESOURCES[alert.source]
    if alert.source_id in sources[alert.source]:
        return Reference(reference=systems.full_url(entry_kind, alert.source_id))
    return Reference(
        type=resource_type, identifier=systems.identifier(identifier_kind, alert.source_id)
    )


def _alert_entry(
    alert: AlertFacts, subject: Reference, systems: _Systems, sources: _Sources
) -> BundleEntry:
    source = _source_reference(alert, systems, sources)
    detail = () if source is None else (DetailExtension(url=FLAG_DETAIL, value_reference=source),)
    flag = Flag(
        extension=detail,
        identifier=(systems.identifier("alert", alert.id),),
        status="active" if alert.is_open else "inactive",
        category=(CLINICAL_FLAG,),
        code=CodeableConcept(coding=(systems.alert_reason(alert.reason),), text=alert_text(alert)),
        subject=subject,
        period=Period(
            start=instant(alert.raised_at),
            end=None if alert.acknowledged_at is None else instant(alert.acknowledged_at),
        ),
    )
    return BundleEntry(full_url=systems.full_url("Flag", alert.id), resource=flag)


def encode(found: Bundle) -> bytes:
    return msgspec.json.encode(found)
