"""Deprecated: moved to :mod:`sim.core.calendar` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.core.calendar import *  # noqa: F401,F403

warnings.warn("sim.calendar moved to sim.core.calendar; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
