"""Deprecated: moved to :mod:`sim.model.firms` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.model.firms import *  # noqa: F401,F403

warnings.warn("sim.firms moved to sim.model.firms; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
