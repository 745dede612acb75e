"""Deprecated: moved to :mod:`sim.studies.compare` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.studies.compare import *  # noqa: F401,F403

warnings.warn("sim.compare moved to sim.studies.compare; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
