"""Deprecated: moved to :mod:`sim.studies.calibrate` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.studies.calibrate import *  # noqa: F401,F403

warnings.warn("sim.calibrate moved to sim.studies.calibrate; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
