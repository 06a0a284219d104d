"""How the charts write numbers and dates: in labels, summaries and table cells. Pure."""

from __future__ import annotations

from datetime import date, datetime

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MINUS = "\u2212"
ELLIPSIS = "\u2026"
DASH = "\u2013"
CHECK = "\u2713"


def number(value: float) -> str:
    """A whole number with thousands separators, e.g. 1,234; a minus sign for negatives."""
    text = f"{round(value):,}"
    return text.replace("-", MINUS)


def decimal(value: float) -> str:
    """One decimal place, without a trailing .0: 2.5, 3, 1,234.5."""
    rounded = round(value, 1)
    text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"
    return text.replace("-", MINUS)


def signed(value: float) -> str:
    if round(value, 1) == 0:
        return "0"
    text = decimal(abs(value)) if abs(value) < 10_000 else compact(abs(value))
    return ("+" if value > 0 else MINUS) + text


def compact(value: float) -> str:
    """Axis-sized numbers: 950, 9,500, 12k, 3.4M, 1.2T."""
    magnitude = abs(value)
    if magnitude < 10_000:
        return decimal(value)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            scaled = magnitude / size
            text = f"{scaled:.0f}" if scaled >= 10 else f"{scaled:.1f}".removesuffix(".0")
            if scaled >= 1000:
                text = f"{scaled:,.0f}"
            return (MINUS if value < 0 else "") + text + suffix
    return decimal(value)


def plural(count: int, word: str) -> str:
    return f"{number(count)} {word if count == 1 else word + 's'}"


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def short_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def full_date(day: date) -> str:
    return f"{short_date(day)} {day.year}"


def long_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def date_range(start: date, end: date) -> str:
    if start == end:
        return full_date(start)
    if start.year == end.year:
        return f"{short_date(start)} to {full_date(end)}"
    return f"{full_date(start)} to {full_date(end)}"


def moment(when: datetime) -> str:
    return f"{full_date(when.date())}, {when.hour:02}:{when.minute:02}"
