"""formwright: compile questionnaires written in YAML into accessible HTML forms.

The pipeline, one module per stage: load → validate → compile → render →
collect → export.
"""

from __future__ import annotations

__version__ = "0.1.0"
