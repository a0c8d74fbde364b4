"""MMAllInOne: the All-in-One video-language Transformer on MMEngine."""
from . import _compat  # noqa: F401  (must run before any toolbox import)
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']
