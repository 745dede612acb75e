"""Deprecated: moved to :mod:`sim.engine.bench` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.engine.bench import *  # noqa: F401,F403

warnings.warn("sim.bench moved to sim.engine.bench; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
