"""Safe loading of MMEngine checkpoints under torch >= 2.6.

Upstream cause: torch 2.6 changed the default of
``torch.load(weights_only=...)`` to ``True``, while MMEngine 0.10.7's local
checkpoint loader (``mmengine.runner.checkpoint.load_from_local``) calls
``torch.load`` without the argument. A Runner-saved checkpoint holds the
message hub (``mmengine.logging.HistoryBuffer``, numpy scalars and arrays), so
neither ``resume=True`` nor ``load_from`` works out of the box.

The loader registered here (for MMEngine's local-path scheme, prefix ``''``)
always unpickles with torch's weights-only unpickler, extended by an explicit
allow-list of the few types MMEngine writes into its checkpoints
(:data:`MMENGINE_SAFE_GLOBALS`): ``HistoryBuffer``, the numpy array / scalar /
dtype reconstructors, and a ``getattr`` restricted to ``HistoryBuffer``'s own
statistics methods (a buffer pickles references to them). Resume and
``load_from`` of a Runner checkpoint therefore need no trust at all.

Anything else is refused with :class:`UntrustedCheckpointError`, whatever
files lie around it. Full unpickling (``weights_only=False``) happens only on
an explicit request: ``--trust-checkpoint`` on the tools,
``trust_checkpoint=True`` in the Python API (both use
:func:`trusted_checkpoints`), or ``MMALLINONE_TRUST_CHECKPOINTS=1`` in the
environment. It is logged as a warning.

The authors' released All-in-One ``.ckpt`` files (PyTorch-Lightning) are
handled too: if weights-only loading fails only because of Lightning / sacred
classes (hyper-parameters, callback states), they are loaded weights-only
with inert stand-ins (:mod:`.lightning_io`), and a released state dict is
converted to mmallinone keys on the fly (:mod:`.release`), so
``load_from='all-in-one-base.ckpt'`` works without converting first.
"""
import contextlib
import logging
import os
import os.path as osp
import pickle
import zipfile
from typing import Any, Callable, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, print_log
from mmengine.runner import CheckpointLoader

from .lightning_io import load_lightning_checkpoint
from .pretrained import load_safetensors_checkpoint
from .release import maybe_convert_release

__all__ = [
    'TRUST_ENV_VAR', 'MMENGINE_SAFE_GLOBALS', 'UntrustedCheckpointError',
    'CorruptCheckpointError',
    'is_trusted_checkpoint', 'trusted_checkpoints', 'load_from_local_safe',
    'register_checkpoint_loader'
]

#: Environment variable that marks every local checkpoint as trusted.
TRUST_ENV_VAR = 'MMALLINONE_TRUST_CHECKPOINTS'

# Set by :func:`trusted_checkpoints` (``--trust-checkpoint``).
_TRUST_DEPTH = 0


class UntrustedCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs full unpickling but was not explicitly trusted."""


class CorruptCheckpointError(RuntimeError):
    """A checkpoint file is truncated or corrupt (names the file)."""


# What torch's zip reader says about a truncated or damaged file.
_DAMAGED_FILE_MESSAGES = ('PytorchStreamReader', 'zip archive',
                          'central directory', 'invalid header',
                          'file too short')


def _history_buffer_getattr(obj: Any, name: str) -> Callable:
    """``getattr`` as a checkpoint may call it: HistoryBuffer methods only.

    A pickled :class:`HistoryBuffer` references its statistics methods
    (``getattr(HistoryBuffer, 'mean')``); any other target is refused.
    """
    allowed = {'min', 'max', 'current', 'mean'}
    allowed.update(HistoryBuffer._statistics_methods)  # registered ones
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint (only '
        'the statistics methods of mmengine.logging.HistoryBuffer are)')


def _numpy_globals() -> List[Any]:
    """numpy's array / scalar / dtype reconstructors (numpy 1.x and 2.x)."""
    core = getattr(np, '_core', None) or np.core
    found = [np.ndarray, np.dtype, core.multiarray._reconstruct,
             core.multiarray.scalar]
    # numpy >= 1.25 pickles a dtype's class (numpy.dtypes.Float64DType ...)
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        found += [getattr(dtypes, name) for name in dir(dtypes)
                  if name.endswith('DType')]
    return found


#: What MMEngine writes into a Runner checkpoint besides tensors and plain
#: containers (found by saving a resume checkpoint with an optimizer, param
#: schedulers, the message hub and a resumable sampler).
MMENGINE_SAFE_GLOBALS: List[Union[Any, Tuple[Callable, str]]] = [
    HistoryBuffer,
    (_history_buffer_getattr, 'builtins.getattr'),
    *_numpy_globals(),
]


@contextlib.contextmanager
def trusted_checkpoints() -> Iterator[None]:
    """Within the block, checkpoints may be fully unpickled if needed.

    The explicit opt-in behind ``--trust-checkpoint`` and
    ``trust_checkpoint=True``: only use it for files of trusted origin, since
    unpickling can run arbitrary code.
    """
    global _TRUST_DEPTH
    _TRUST_DEPTH += 1
    try:
        yield
    finally:
        _TRUST_DEPTH -= 1


def is_trusted_checkpoint(filename: str) -> bool:
    """Whether ``filename`` may be loaded with ``weights_only=False``.

    Only an explicit request counts, never the files around it.

    Args:
        filename (str): Local path of the checkpoint (not inspected).

    Returns:
        bool: True inside :func:`trusted_checkpoints` or if
        ``MMALLINONE_TRUST_CHECKPOINTS=1`` is set.
    """
    if _TRUST_DEPTH > 0:
        return True
    return os.environ.get(TRUST_ENV_VAR, '0').lower() in ('1', 'true', 'yes')


def _load_weights_only(filename: str, map_location: Any) -> Any:
    """``torch.load(weights_only=True)`` plus MMEngine's allow-list."""
    with torch.serialization.safe_globals(MMENGINE_SAFE_GLOBALS):
        return torch.load(
            filename, map_location=map_location, weights_only=True)


def load_from_local_safe(
        filename: str,
        map_location: Optional[Union[str, torch.device, Any]] = None) -> Any:
    """Load a local checkpoint weights-only; full pickle only if trusted.

    Drop-in replacement for MMEngine's ``load_from_local``.

    Args:
        filename (str): Local checkpoint path (``~`` is expanded).
        map_location (str | torch.device | callable, optional): Same as
            :func:`torch.load`. Defaults to None.

    Returns:
        dict | OrderedDict: The loaded checkpoint.

    Raises:
        FileNotFoundError: If the file does not exist.
        UntrustedCheckpointError: If the file holds objects outside the
            allow-list and trust was not requested explicitly.
    """
    filename = osp.expanduser(filename)
    # a pretrained folder or .safetensors file: tensors only, never pickle
    safe = load_safetensors_checkpoint(filename, map_location)
    if safe is not None:
        return safe
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        checkpoint = _load_weights_only(filename, map_location)
    except (RuntimeError, EOFError, OSError, zipfile.BadZipFile) as error:
        # a truncated zip gives a RuntimeError of the zip reader or an
        # OSError (EINVAL) seeking past its end
        if isinstance(error, RuntimeError):
            damaged = any(s in str(error) for s in _DAMAGED_FILE_MESSAGES)
        elif isinstance(error, OSError):
            damaged = not isinstance(error, (PermissionError,
                                             FileNotFoundError,
                                             IsADirectoryError))
        else:
            damaged = True
        if not damaged:
            raise
        raise CorruptCheckpointError(
            f'Cannot read checkpoint "{filename}": it is truncated or '
            f'corrupt ({type(error).__name__}: {error}).') from error
    except pickle.UnpicklingError as weights_only_error:
        try:
            checkpoint = load_lightning_checkpoint(filename, map_location)
        except pickle.UnpicklingError as error:  # not even a pickle
            raise CorruptCheckpointError(
                f'Cannot read checkpoint "{filename}": it is truncated or '
                f'corrupt ({type(error).__name__}: {error}).') from error
        if checkpoint is not None:
            return maybe_convert_release(checkpoint, filename)
        if not is_trusted_checkpoint(filename):
            raise UntrustedCheckpointError(
                f'{filename} holds Python objects outside the weights-only '
                'allow-list (tensors, containers, and what MMEngine writes), '
                'so mmallinone refuses to unpickle it: unpickling can run '
                'arbitrary code. If you trust its origin, pass '
                '--trust-checkpoint (tools), trust_checkpoint=True (Python '
                f'API) or set {TRUST_ENV_VAR}=1. '
                f'Original error: {weights_only_error}') from None
    else:
        return maybe_convert_release(checkpoint, filename)
    print_log(
        f'{filename} holds objects outside the weights-only allow-list; '
        'trust was requested explicitly, so it is loaded with '
        'torch.load(weights_only=False).',
        logger='current',
        level=logging.WARNING)
    return maybe_convert_release(
        torch.load(filename, map_location=map_location, weights_only=False),
        filename)


def register_checkpoint_loader() -> None:
    """Make :func:`load_from_local_safe` MMEngine's local-path loader.

    Idempotent. Called when :mod:`mmallinone.checkpoint` is imported.
    """
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local_safe, force=True)
