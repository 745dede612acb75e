"""Deprecated: moved to :mod:`sim.studies.realism` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.studies.realism import *  # noqa: F401,F403

warnings.warn("sim.realism moved to sim.studies.realism; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
