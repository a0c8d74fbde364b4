"""Web demo (Gradio): search, question answering and cloze on a folder.

``tools/demo/app.py`` is the command line; the app is built here so that it
can be imported, tested and extended. A tab is one registered class of
:data:`DEMO_TABS` (see :class:`BaseTab`); a new tab is added by registering
one more class in ``mmallinone/demo/tabs/``.
"""
from .app import build_demo, launch
from .context import DemoContext, DemoError, ModelEntry
from .tabs import DEMO_TABS, BaseTab

__all__ = [
    'build_demo', 'launch', 'DemoContext', 'DemoError', 'ModelEntry',
    'DEMO_TABS', 'BaseTab'
]
