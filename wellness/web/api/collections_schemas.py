"""What the collections API accepts; unknown input fields are refused (mass assignment). What it
answers is `web.collection_views`, shared with the pages."""

from __future__ import annotations

from typing import Annotated

import msgspec

from wellness.catalog.collection_rules import MAX_SESSIONS, MIN_SESSIONS
from wellness.catalog.collections import CollectionFields, Description, Title
from wellness.web.ids import BodyId
from wellness.web.strict_json import StrictBody

# The collection's sessions in order: ids bounded as the API's are, 1 to 50 of them (a
# duplicate or an id no session has is the collection rules' 422, naming them).
SessionIds = Annotated[list[BodyId], msgspec.Meta(min_length=MIN_SESSIONS, max_length=MAX_SESSIONS)]


class CollectionCreate(StrictBody):
    title: Title
    session_ids: SessionIds
    description: Description = ""

    def fields(self) -> CollectionFields:
        return CollectionFields(
            title=self.title, description=self.description, session_ids=self.session_ids
        )


class CollectionPatch(CollectionFields, StrictBody):
    """The collection's editable fields; those left out keep their values. `session_ids`, when
    given, is the whole new list in its new order."""

    session_ids: SessionIds | None = None
