"""Deprecated: moved to :mod:`sim.engine.folder` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.engine.folder import *  # noqa: F401,F403

warnings.warn("sim.results moved to sim.engine.folder; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
