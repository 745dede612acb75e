"""Deprecated: moved to :mod:`sim.model.ledger` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.model.ledger import *  # noqa: F401,F403

warnings.warn("sim.ledger moved to sim.model.ledger; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
