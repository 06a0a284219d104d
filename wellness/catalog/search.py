"""Catalog listing and full-text search, one interface over SQLite FTS5 and PostgreSQL tsvector.

Both engines match every word of the query as a prefix, rank by relevance with the title
weighted highest, then instructor and tags, then description, then transcript. The tags are
searched through `practice_sessions.tag_text` (the session's tags as one text, which
wellness.catalog.editing writes with them), so a search stays one query over one row per session.
The index itself is created by the migrations (0002, rebuilt with the tags by 0014): an FTS5
table kept in sync by triggers on SQLite; a generated tsvector column with a GIN index on
PostgreSQL.

A query may also keep to one patient's Saved list (`saved_by`, for wellness.catalog.saved) and
match its words in titles only (`titles_only`: FTS5's column filter; the title's weight A in
the tsvector).
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from wellness.catalog.kinds import Guidance, Kind, Posture, Status
from wellness.catalog.rules import search_tokens
from wellness.catalog.storage import cover_key
from wellness.db import RawSql, raw_query
from wellness.lib.paging import page_bounds


@dataclass(frozen=True, slots=True)
class CatalogQuery:
    statuses: frozenset[Status]
    text: str = ""
    kind: Kind | None = None
    max_minutes: int | None = None
    min_minutes: int | None = None
    posture: Posture | None = None
    guidance: Guidance | None = None
    tag: str | None = None
    page: int = 1
    per_page: int = 24
    # Only sessions on this patient's Saved list (wellness.catalog.saved); None: any session.
    saved_by: int | None = None
    # The words match titles only, not the teacher, tags, description or transcript.
    titles_only: bool = False

    @property
    def narrows(self) -> bool:
        """Whether words or a filter narrow the sessions, beyond their statuses and a list."""
        chosen = (self.kind, self.max_minutes, self.min_minutes, self.posture, self.guidance)
        return bool(search_tokens(self.text) or self.tag) or any(x is not None for x in chosen)


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    title: str
    kind: Kind
    status: Status
    duration_seconds: float
    posture: Posture
    guidance: Guidance
    instructor: str
    description: str
    cover_key: str | None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchPage:
    rows: list[SessionRow]
    page: int
    pages: int
    total: int
    # What callers derive from a page (the browse page's rendered cards) lives here, so it is
    # cached exactly as long as the page itself. Read-only apart from adding entries.
    derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)


_COLUMNS = (
    "s.id, s.title, s.kind, s.status, s.duration_seconds, s.posture, s.guidance, s.instructor, "
    "s.description, a.cover_sha256, a.cover_mime_type"
)


def _filters(query: CatalogQuery, sql: RawSql) -> list[str]:
    clauses = ["TRUE"]
    if query.statuses != frozenset(Status):  # no condition at all lets the title index order
        statuses = sql.param_list(status.value for status in sorted(query.statuses))
        clauses = [f"s.status IN ({statuses})"]
    if query.kind is not None:
        clauses.append(f"s.kind = {sql.param(query.kind.value)}")
    if query.posture is not None:
        clauses.append(f"s.posture = {sql.param(query.posture.value)}")
    if query.guidance is not None:
        clauses.append(f"s.guidance = {sql.param(query.guidance.value)}")
    if query.max_minutes is not None:
        clauses.append(f"s.duration_seconds <= {sql.param(query.max_minutes * 60 + 30)}")
    if query.min_minutes is not None:
        clauses.append(f"s.duration_seconds >= {sql.param(query.min_minutes * 60 - 30)}")
    if query.tag:
        tag = sql.param(query.tag)
        clauses.append(
            f"EXISTS (SELECT 1 FROM session_tags t WHERE t.session_id = s.id AND t.tag = {tag})"
        )
    if query.saved_by is not None:
        patient = sql.param(query.saved_by)
        clauses.append(
            f"s.id IN (SELECT v.session_id FROM saved_sessions v WHERE v.patient_id = {patient})"
        )
    return clauses


def _match(tokens: list[str], sql: RawSql, *, titles_only: bool) -> tuple[str, str, str]:
    """(FROM clause, WHERE clause, ORDER BY) for the full-text part."""
    if sql.dialect == "postgres":
        weight = "A" if titles_only else ""  # the title's weight (migration 0014)
        expression = sql.param(" & ".join(f"{token}:*{weight}" for token in tokens))
        return (
            f"practice_sessions s CROSS JOIN to_tsquery('simple', {expression}) AS q",
            "s.search_vector @@ q",
            "ts_rank(s.search_vector, q) DESC, s.id",
        )
    column = "title : " if titles_only else ""  # FTS5's column filter
    expression = sql.param(" AND ".join(f'{column}"{token}"*' for token in tokens))
    # CROSS JOIN keeps the FTS table the outer loop: with a plain JOIN, SQLite's planner walks
    # the sessions and runs the whole MATCH once per session (seconds at 10,000 sessions).
    return (
        "session_search f CROSS JOIN practice_sessions s ON s.id = f.rowid",
        f"session_search MATCH {expression}",
        # One weight per column: title, instructor, tag_text, description, transcript.
        "bm25(session_search, 10.0, 4.0, 4.0, 2.0, 1.0), s.id",
    )


async def ranked_ids(query: CatalogQuery) -> array[int]:
    """The ids of every session the query matches, best first (page and per_page ignored).

    One query ranks all matches: the count is its length, and every page of the same search can
    be cut from it (see wellness.catalog.cache), where a COUNT plus a LIMIT query per page would
    run the full-text match twice per page.
    """
    connection, sql = raw_query()
    tokens = search_tokens(query.text)
    clauses = _filters(query, sql)
    if not tokens:
        source, order = "practice_sessions s", "s.title, s.id"
    else:
        source, match_clause, order = _match(tokens, sql, titles_only=query.titles_only)
        clauses.append(match_clause)
    _, rows = await connection.execute_query(
        f"SELECT s.id FROM {source} WHERE {' AND '.join(clauses)} ORDER BY {order}", sql.params
    )
    return array("i", (int(row[0]) for row in rows))


async def page_of(ids: array[int], page: int, per_page: int) -> SearchPage:
    """One page of an ordered list of session ids, with each session's card fields and tags."""
    page, pages, offset = page_bounds(len(ids), page, per_page)
    wanted = list(ids[offset : offset + per_page])
    return SearchPage(rows=await rows_for(wanted), page=page, pages=pages, total=len(ids))


async def rows_for(ids: list[int]) -> list[SessionRow]:
    """Card fields and tags of these sessions, in the order of `ids`."""
    if not ids:
        return []
    connection, sql = raw_query()
    placeholders = sql.param_list(ids)
    _, rows = await connection.execute_query(
        f"SELECT {_COLUMNS} FROM practice_sessions s "
        f"LEFT JOIN media_assets a ON a.id = s.primary_asset_id WHERE s.id IN ({placeholders})",
        sql.params,
    )
    by_id = {int(row[0]): _row(row) for row in rows}
    _, tags = await connection.execute_query(
        f"SELECT session_id, tag FROM session_tags WHERE session_id IN ({placeholders}) "
        "ORDER BY tag",
        sql.params,
    )
    for session_id, tag in tags:
        by_id[int(session_id)].tags.append(str(tag))
    return [by_id[session_id] for session_id in ids if session_id in by_id]


async def search(query: CatalogQuery) -> SearchPage:
    """One page of results, computed afresh (wellness.catalog.services.browse caches them)."""
    return await page_of(await ranked_ids(query), query.page, query.per_page)


def _row(row: Any) -> SessionRow:
    return SessionRow(
        id=int(row[0]),
        title=str(row[1]),
        kind=Kind(row[2]),
        status=Status(row[3]),
        duration_seconds=float(row[4]),
        posture=Posture(row[5]),
        guidance=Guidance(row[6]),
        instructor=str(row[7]),
        description=str(row[8]),
        cover_key=cover_key(row[9], row[10]),
    )
