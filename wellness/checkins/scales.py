"""The SUDS scale's bounds, with no imports, so that `wellness.settings` can bound the clinic's
alert thresholds by them without depending on the rest of `checkins` (`scoring` re-exports
them; everything else takes them from there)."""

from typing import Final

# Subjective Units of Distress: 0 calm to 10 the worst distress, in whole points.
SUDS_MIN: Final = 0
SUDS_MAX: Final = 10
