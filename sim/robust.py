"""Deprecated: moved to :mod:`sim.studies.robust` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.studies.robust import *  # noqa: F401,F403

warnings.warn("sim.robust moved to sim.studies.robust; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
