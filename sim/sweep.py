"""Deprecated: moved to :mod:`sim.studies.sweep` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.studies.sweep import *  # noqa: F401,F403

warnings.warn("sim.sweep moved to sim.studies.sweep; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
