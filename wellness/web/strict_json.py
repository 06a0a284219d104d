"""JSON bodies as the API reads them: never nested deeper than a decoder can take, and strict
for health data ("7" is not 7 and true is not 1).

Litestar converts bodies leniently (strings to numbers and the like). A body type that derives
from `StrictBody` is instead decoded once, strictly, by `StrictBodyDTO` (chosen for it by
`StrictBodyPlugin`, which `create_app` registers), and a refusal names the field at fault the
way Litestar's own refusals do. Every body is checked for over-deep nesting before it is decoded
(here, and by `JsonRequest`, the app's request class, for the lenient ones), since decoders
raise RecursionError on it.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.dto import AbstractDTO, DTOFieldDefinition
from litestar.exceptions import ClientException, SerializationException, ValidationException
from litestar.openapi.spec import Reference, Schema
from litestar.plugins import SerializationPlugin
from litestar.typing import FieldDefinition

from wellness.lib.json_nesting import too_deep

S = TypeVar("S", bound=msgspec.Struct)
_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
# A field missing or not allowed: msgspec names it in the message, at the object's path.
_NAMED = re.compile(r"^Object (?:missing required|contains unknown) field `(?P<name>[^`]+)`")
# Our bodies nest three levels at most; decoders fail near a thousand.
MAX_JSON_DEPTH = 32
# How a refusal names the body as a whole (Litestar names it by the handler's parameter).
WHOLE_BODY = "data"


def shallow(body: bytes) -> bytes:
    """`body`, or a 400 before decoding if it nests deeper than MAX_JSON_DEPTH."""
    if too_deep(body, MAX_JSON_DEPTH):
        raise ClientException(
            f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.",
            extra=[{"key": "body", "message": "Nested too deeply.", "source": "body"}],
        )
    return body


class JsonRequest(Request[Any, Any, Any]):
    """The app's request class: its JSON body is checked by `shallow` before it is decoded."""

    async def json(self) -> Any:
        shallow(await self.body())
        return await super().json()


class StrictBody(msgspec.Struct, forbid_unknown_fields=True):
    """A JSON request body decoded strictly: no coercion, no unknown fields."""


def decode_strictly(body: bytes, shape: type[S]) -> S:
    """`body` as `shape`, or a 422 naming the field at fault (400 if it is not JSON at all).

    A number with nothing after the point (`8.0`, `1e2`) is taken where a whole number is
    asked for: JSON Schema, and so the OpenAPI document, calls it an integer, and a client's
    JSON library may write any number so (Python's writes numpy's and float results as `8.0`).
    `8.5`, `"8"` and `true` are still refused."""
    try:
        try:
            return msgspec.json.decode(shallow(body), type=shape, strict=True)
        except msgspec.ValidationError as error:
            if "got `float`" not in str(error):
                raise
            return msgspec.convert(
                _whole_floats_as_ints(msgspec.json.decode(body)), type=shape, strict=True
            )
    except msgspec.ValidationError as error:
        message = str(error)
        found = _PATH.search(message)
        plain = _PATH.sub("", message)
        path = found.group("path") if found else ""
        if named := _NAMED.match(plain):
            path = f"{path}.{named['name']}" if path else named["name"]
        field = path or WHOLE_BODY
        raise ValidationException(
            "Validation failed.", extra=[{"key": field, "message": plain, "source": "body"}]
        ) from None
    except msgspec.DecodeError as error:  # Litestar answers these 400 with msgspec's words
        raise SerializationException(str(error)) from None


def _whole_floats_as_ints(value: Any) -> Any:
    """`value` (decoded JSON) with every float that is a whole number made an int. Safe where a
    float is asked for too: a strict decoder takes an int for a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_floats_as_ints(item) for key, item in value.items()}
    return value


class StrictBodyDTO(AbstractDTO[S]):
    """Decodes a handler's `data` with `decode_strictly`, once, instead of Litestar's lenient
    conversion, and documents the body with the same schema Litestar gives the type itself.

    It only ever reads: it builds no transfer model and never encodes an answer.
    """

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        """Nothing to prepare: bodies are decoded straight into the model type."""

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any
    ) -> Reference | Schema:
        schema: Reference | Schema = schema_creator.for_field_definition(field_definition)
        return schema

    @classmethod
    def is_supported_model_type_field(cls, field_definition: FieldDefinition) -> bool:
        return False  # so Litestar never picks it to encode a handler's answer

    @classmethod
    def generate_field_definitions(
        cls, model_type: type[Any]
    ) -> Generator[DTOFieldDefinition, None, None]:
        yield from ()  # no transfer model is built (see create_for_field_definition)

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False

    def decode_bytes(self, value: bytes) -> S:
        return decode_strictly(value, self.model_type)

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        raise NotImplementedError("A StrictBody is read from JSON, not from a form.")


class StrictBodyPlugin(SerializationPlugin):
    """Chooses `StrictBodyDTO` for every handler whose `data` is a `StrictBody`."""

    def supports_type(self, field_definition: FieldDefinition) -> bool:
        return field_definition.is_subclass_of(StrictBody)

    def create_dto_for_type(self, field_definition: FieldDefinition) -> type[AbstractDTO[Any]]:
        return StrictBodyDTO.__class_getitem__(field_definition.annotation)
