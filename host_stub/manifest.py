"""A module's ``plugin.toml``: read, validated with marshmallow, turned into a Manifest."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources.abc import Traversable

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from host_stub.api import HOST_API_VERSION
from host_stub.errors import HostError

MODULE_ID = validate.Regexp(r"^[a-z][a-z0-9_]{1,30}$", error="must be lower-case letters, digits or _ (2-31 chars)")


@dataclass(frozen=True)
class Product:
    """A paid module: its monthly fee in cents and the days of free trial after first enabling."""

    monthly_price_cents: int
    currency: str
    trial_days: int

    @property
    def price_label(self) -> str:
        """The price as German users read it, e.g. ``3,50 € / Monat``."""
        amount = f"{Decimal(self.monthly_price_cents) / 100:.2f}".replace(".", ",")
        symbol = "€" if self.currency == "EUR" else self.currency
        return f"{amount} {symbol} / Monat"


@dataclass(frozen=True)
class Manifest:
    id: str
    name: str
    version: str
    description: str
    host_api: str
    entry_point: str
    table_prefix: str
    product: Product | None = None
    hookspecs: str | None = None


def _specifier(value: str) -> None:
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        raise ValidationError("is not a version range such as '>=1.0,<2'") from None


class ProductSchema(Schema):
    class Meta:
        unknown = RAISE

    monthly_price_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    currency = fields.String(load_default="EUR", validate=validate.OneOf(["EUR"]))
    trial_days = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=365))

    @post_load
    def make(self, data, **_kwargs) -> Product:
        return Product(**data)


class ManifestSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=MODULE_ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    version = fields.String(required=True, validate=validate.Regexp(r"^\d+(\.\d+)*([a-z0-9.+-]*)$"))
    description = fields.String(load_default="")
    host_api = fields.String(required=True, validate=_specifier)
    entry_point = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z_][\w.]*$"))
    table_prefix = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9]*_$"))
    hookspecs = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z_][\w.]*$"))
    product = fields.Nested(ProductSchema, load_default=None)

    @post_load
    def make(self, data, **_kwargs) -> Manifest:
        return Manifest(**data)


def _flatten(messages, prefix: str = "") -> list[str]:
    lines = []
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            lines += _flatten(value, f"{name}.")
        else:
            lines.append(f"field '{name}': {' '.join(value)}")
    return lines


def parse_manifest(text: str, source: str) -> Manifest:
    """Validate manifest text; the error names the file and every field that is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HostError(f"{source}: not valid TOML ({exc})") from None
    try:
        manifest = ManifestSchema().load(raw)
    except ValidationError as exc:
        raise HostError(f"{source}: invalid manifest: {'; '.join(_flatten(exc.messages))}") from None
    if HOST_API_VERSION not in SpecifierSet(manifest.host_api):
        raise HostError(
            f"{source}: module {manifest.id} needs host API {manifest.host_api}, this host offers {HOST_API_VERSION}"
        )
    return manifest


def read_manifest(location: Traversable) -> Manifest:
    if not location.is_file():
        raise HostError(f"no manifest: {location} is missing (put plugin.toml next to the plugin module)")
    return parse_manifest(location.read_text(encoding="utf-8"), str(location))

