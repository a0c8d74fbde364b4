"""MMAllInOne: the All-in-One video-language Transformer on MMEngine."""
from . import _compat  # noqa: F401  (must run before any toolbox import)
from . import checkpoint  # noqa: F401,I001  (weights_only-safe loader, hf://)
from . import utils  # noqa: F401,I001
from . import fileio  # noqa: F401,I001  (fsspec backend for s3/gs/http/hf)
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']
