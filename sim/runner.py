"""Deprecated: moved to :mod:`sim.engine.replicate` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.engine.replicate import *  # noqa: F401,F403

warnings.warn("sim.runner moved to sim.engine.replicate; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
