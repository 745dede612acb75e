"""Deprecated: moved to :mod:`sim.engine.cluster` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.engine.cluster import *  # noqa: F401,F403

warnings.warn("sim.cluster moved to sim.engine.cluster; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
