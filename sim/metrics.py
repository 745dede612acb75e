"""Deprecated: moved to :mod:`sim.core.metrics` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.core.metrics import *  # noqa: F401,F403

warnings.warn("sim.metrics moved to sim.core.metrics; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
