"""One error hierarchy for the whole package.

Every error a user can meet derives from :class:`HeatmapError`; the CLI turns
them into a clear message and exit code 1 (2 for :class:`UsageError`).
"""

from __future__ import annotations


class HeatmapError(Exception):
    """Root of every error raised on purpose by Teplokarty."""


class UsageError(HeatmapError):
    """The caller asked for something malformed (bad option, unknown value)."""


class ConfigError(HeatmapError):
    """Settings, policy or template files are invalid."""


class InputError(HeatmapError):
    """An input file cannot be read at all (not: a bad row — those are quarantined)."""


class StoreError(HeatmapError):
    """The store failed or is in an unexpected state."""


class MigrationError(StoreError):
    """The store schema is missing, too new or a migration failed."""


class NotFoundError(HeatmapError):
    """A spot, complaint or other record does not exist."""


class TransitionError(HeatmapError):
    """A spot lifecycle transition is not allowed from the current status."""


class ConflictError(TransitionError):
    """Someone changed the spot meanwhile: reload and try again."""


class RuleError(HeatmapError):
    """A workflow rule refuses the request (a cause not in the policy's list, an ETA in
    the past): the CLI exits 1, the API answers 422."""


class GeocodeError(HeatmapError):
    """A geocoder could not be built or queried (not: an address that did not match)."""


class DetectionError(HeatmapError):
    """Spot detection was given parameters or data it cannot work with."""
