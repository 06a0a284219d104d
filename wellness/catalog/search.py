"""Catalog listing and full-text search, one interface over SQLite FTS5 and PostgreSQL tsvector.

Both engines match every word of the query as a prefix, rank by relevance with the title
weighted highest, then instructor, description and transcript. The index itself is created by
the catalog migration (an FTS5 table kept in sync by triggers on SQLite; a generated tsvector
column with a GIN index on PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise import connections

from wellness.catalog.kinds import Guidance, Kind, Posture, Status
from wellness.catalog.rules import search_tokens
from wellness.catalog.storage import cover_key


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


class _Sql:
    """Collects WHERE clauses and parameters with the right placeholder style."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}" if self.dialect == "postgres" else "?"


_COLUMNS = (
    "s.id, s.title, s.kind, s.status, s.duration_seconds, s.posture, s.guidance, s.instructor, "
    "s.description, a.cover_sha256, a.cover_mime_type"
)


def _filters(query: CatalogQuery, sql: _Sql) -> list[str]:
    clauses = ["TRUE"]
    if query.statuses != frozenset(Status):  # no condition at all lets the title index order
        statuses = ", ".join(sql.param(status.value) for status in sorted(query.statuses))
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
    return clauses


def _match(tokens: list[str], sql: _Sql) -> tuple[str, str, str]:
    """(FROM clause, WHERE clause, ORDER BY) for the full-text part."""
    if sql.dialect == "postgres":
        expression = sql.param(" & ".join(f"{token}:*" for token in tokens))
        return (
            f"practice_sessions s CROSS JOIN to_tsquery('simple', {expression}) AS q",
            "s.search_vector @@ q",
            "ts_rank(s.search_vector, q) DESC, s.id",
        )
    expression = sql.param(" AND ".join(f'"{token}"*' for token in tokens))
    # CROSS JOIN keeps the FTS table the outer loop: with a plain JOIN, SQLite's planner walks
    # the sessions and runs the whole MATCH once per session (seconds at 10,000 sessions).
    return (
        "session_search f CROSS JOIN practice_sessions s ON s.id = f.rowid",
        f"session_search MATCH {expression}",
        "bm25(session_search, 10.0, 4.0, 2.0, 1.0), s.id",
    )


async def search(query: CatalogQuery) -> SearchPage:
    connection = connections.get("default")
    dialect = "postgres" if connection.capabilities.dialect == "postgres" else "sqlite"
    sql = _Sql(dialect)
    tokens = search_tokens(query.text)
    source, order = "practice_sessions s", "s.title, s.id"
    clauses = _filters(query, sql)
    if tokens:
        source, match_clause, order = _match(tokens, sql)
        clauses.append(match_clause)
    where = f"WHERE {' AND '.join(clauses)}"
    # No media join in the count: a LEFT JOIN on a primary key cannot change it, and on SQLite
    # the join makes the count read every session row instead of the status index alone.
    _, counted = await connection.execute_query(
        f"SELECT COUNT(*) FROM {source} {where}", list(sql.params)
    )
    total = int(counted[0][0])
    pages = max(1, -(-total // query.per_page))
    page = min(max(1, query.page), pages)
    limit, offset = sql.param(query.per_page), sql.param((page - 1) * query.per_page)
    _, rows = await connection.execute_query(
        f"SELECT {_COLUMNS} FROM {source} LEFT JOIN media_assets a ON a.id = s.primary_asset_id "
        f"{where} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        sql.params,
    )
    sessions = [_row(row) for row in rows]
    await _attach_tags(connection, dialect, sessions)
    return SearchPage(rows=sessions, page=page, pages=pages, total=total)


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


async def _attach_tags(connection: Any, dialect: str, sessions: list[SessionRow]) -> None:
    if not sessions:
        return
    sql = _Sql(dialect)
    placeholders = ", ".join(sql.param(session.id) for session in sessions)
    _, rows = await connection.execute_query(
        f"SELECT session_id, tag FROM session_tags WHERE session_id IN ({placeholders}) "
        "ORDER BY tag",
        sql.params,
    )
    by_id = {session.id: session for session in sessions}
    for session_id, tag in rows:
        by_id[int(session_id)].tags.append(str(tag))
