"""Rich display in a notebook, drawn by a later stage and looked up when an object is shown.

An :class:`~runtwitch.Activity`, an :class:`~runtwitch.Explanation` and an
:class:`~runtwitch.Analysis` show themselves in a notebook as HTML drawn by
:mod:`runtwitch.render.notebook`. The renderers are a later stage of the
pipeline than these objects, so the objects name their drawing function here
and it is imported only when the object is displayed: importing stays
one-directional, and importing runtwitch loads no renderer.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: The module whose functions draw the notebook views.
NOTEBOOK_RENDERER = "runtwitch.render.notebook"


def notebook_html(drawer: str, obj: Any) -> str:
    """HTML for ``obj``, drawn by the function ``drawer`` of :data:`NOTEBOOK_RENDERER`."""
    page: str = getattr(import_module(NOTEBOOK_RENDERER), drawer)(obj)
    return page
