"""Safe loading of MMEngine checkpoints under torch >= 2.6.

Upstream cause (dependency trap 2): torch 2.6 changed the default of
``torch.load(weights_only=...)`` to ``True``, while MMEngine 0.10.7's local
checkpoint loader (``mmengine.runner.checkpoint.load_from_local``) calls
``torch.load`` without the argument. A Runner-saved checkpoint holds the
message hub (``mmengine.logging.HistoryBuffer``, numpy scalars and arrays), so
neither ``resume=True`` nor ``load_from`` works; allow-listing every class
would need ``builtins.getattr``, which defeats the purpose of weights-only
loading.

The loader registered here (for MMEngine's local-path scheme, prefix ``''``)
tries ``weights_only=True`` first, which is enough for released weights and
for plain state dicts. Only if that fails *and* the file is trusted does it
fall back to full unpickling, and it logs that it did. A file is trusted when

* it sits in an MMEngine work directory, i.e. its directory holds the
  ``last_checkpoint`` marker file that MMEngine's ``CheckpointHook`` writes
  next to the checkpoints it saves, or
* the environment variable ``MMALLINONE_TRUST_CHECKPOINTS=1`` is set.

Otherwise :class:`UntrustedCheckpointError` explains how to trust the file.

The authors' released All-in-One ``.ckpt`` files (PyTorch-Lightning) are
handled too: if weights-only loading fails only because of Lightning / sacred
classes (hyper-parameters, callback states), they are loaded weights-only
with inert stand-ins (``mmallinone.models.utils.lightning_io``), and a
released state dict is converted to mmallinone keys on the fly, so
``load_from='all-in-one-base.ckpt'`` works without converting first.
"""
import logging
import os
import os.path as osp
import pickle
from typing import Any, Optional, Union

import torch
from mmengine.logging import print_log
from mmengine.runner import CheckpointLoader

from .pretrained import load_safetensors_checkpoint

__all__ = [
    'TRUST_ENV_VAR', 'UntrustedCheckpointError', 'is_trusted_checkpoint',
    'load_from_local_safe', 'register_checkpoint_loader'
]

#: Environment variable that marks every local checkpoint as trusted.
TRUST_ENV_VAR = 'MMALLINONE_TRUST_CHECKPOINTS'
#: Marker file written by MMEngine's ``CheckpointHook`` into the work dir.
WORK_DIR_MARKER = 'last_checkpoint'


class UntrustedCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs full unpickling but its origin is not trusted."""


def is_trusted_checkpoint(filename: str) -> bool:
    """Whether ``filename`` may be loaded with ``weights_only=False``.

    Args:
        filename (str): Local path of the checkpoint.

    Returns:
        bool: True if ``MMALLINONE_TRUST_CHECKPOINTS=1`` is set or the file's
        directory holds MMEngine's ``last_checkpoint`` marker.
    """
    if os.environ.get(TRUST_ENV_VAR, '0').lower() in ('1', 'true', 'yes'):
        return True
    directory = osp.dirname(osp.abspath(filename))
    return osp.isfile(osp.join(directory, WORK_DIR_MARKER))


def load_from_local_safe(
        filename: str,
        map_location: Optional[Union[str, torch.device, Any]] = None) -> Any:
    """Load a local checkpoint, weights-only first, full pickle if trusted.

    Drop-in replacement for MMEngine's ``load_from_local``.

    Args:
        filename (str): Local checkpoint path (``~`` is expanded).
        map_location (str | torch.device | callable, optional): Same as
            :func:`torch.load`. Defaults to None.

    Returns:
        dict | OrderedDict: The loaded checkpoint.

    Raises:
        FileNotFoundError: If the file does not exist.
        UntrustedCheckpointError: If the file cannot be loaded weights-only
            and is not trusted.
    """
    filename = osp.expanduser(filename)
    # a pretrained folder or .safetensors file: tensors only, never pickle
    safe = load_safetensors_checkpoint(filename, map_location)
    if safe is not None:
        return safe
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        return _maybe_convert_release(
            torch.load(filename, map_location=map_location,
                       weights_only=True), filename)
    except pickle.UnpicklingError as weights_only_error:
        checkpoint = _load_lightning(filename, map_location)
        if checkpoint is not None:
            return _maybe_convert_release(checkpoint, filename)
        if not is_trusted_checkpoint(filename):
            raise UntrustedCheckpointError(
                f'{filename} cannot be loaded with torch.load('
                'weights_only=True) (it contains arbitrary Python objects) '
                'and it is not trusted, so mmallinone refuses to unpickle it. '
                'If you trust its origin, either keep it in the MMEngine work '
                f'directory that saved it (next to the "{WORK_DIR_MARKER}" '
                f'file) or set the environment variable {TRUST_ENV_VAR}=1. '
                f'Original error: {weights_only_error}') from None
    print_log(
        f'{filename} is not weights-only (MMEngine saves its message hub); '
        'it is trusted, so it is loaded with torch.load(weights_only=False).',
        logger='current',
        level=logging.INFO)
    return _maybe_convert_release(
        torch.load(filename, map_location=map_location, weights_only=False),
        filename)


def _load_lightning(filename: str, map_location: Any) -> Optional[dict]:
    """Weights-only load with Lightning stand-ins, or None (see module)."""
    from mmallinone.models.utils.lightning_io import \
        load_lightning_checkpoint
    return load_lightning_checkpoint(filename, map_location)


def _maybe_convert_release(checkpoint: Any, filename: str) -> Any:
    """Map an All-in-One release to mmallinone keys; others unchanged."""
    from mmallinone.models.utils.key_mapping import is_allinone_release
    if not is_allinone_release(checkpoint):
        return checkpoint
    from mmallinone.models.utils.release import convert_release_checkpoint
    return convert_release_checkpoint(checkpoint, filename)


def register_checkpoint_loader() -> None:
    """Make :func:`load_from_local_safe` MMEngine's local-path loader.

    Idempotent. Called when :mod:`mmallinone.utils` is imported.
    """
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local_safe, force=True)
