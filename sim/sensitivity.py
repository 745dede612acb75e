"""Deprecated: moved to :mod:`sim.studies.sensitivity` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.studies.sensitivity import *  # noqa: F401,F403

warnings.warn("sim.sensitivity moved to sim.studies.sensitivity; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
