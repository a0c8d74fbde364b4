"""Weights-only loading of PyTorch-Lightning ``.ckpt`` files.

A released All-in-One checkpoint is ``torch.save`` of a PyTorch-Lightning
dict: tensors plus ``hyper_parameters`` (the sacred config, possibly held in
Lightning's ``AttributeDict`` or sacred's read-only containers) and callback
states keyed by Lightning classes. ``torch.load(weights_only=True)`` refuses
those globals, and full unpickling of a downloaded file can run arbitrary
code. Here every global a checkpoint references is listed first
(``torch.serialization.get_unsafe_globals_in_checkpoint``); only if *all* of
them belong to an allow-listed namespace (``pytorch_lightning``,
``lightning``, ``lightning_fabric``, ``sacred``) is the file loaded, still
with ``weights_only=True``, with inert stand-ins for those classes: plain
``OrderedDict`` / ``list`` for the known containers and an attribute bag for anything
else. Nothing from those packages is imported or executed.
"""
import logging
from collections import OrderedDict
from typing import Any, Dict, List, Optional

import torch
from mmengine.logging import print_log

__all__ = [
    'LIGHTNING_NAMESPACES', 'LightningStandIn', 'lightning_globals',
    'load_lightning_checkpoint', 'to_plain', 'release_hparams'
]

#: Namespaces whose classes may be replaced by inert stand-ins.
LIGHTNING_NAMESPACES = ('pytorch_lightning.', 'lightning.',
                        'lightning_fabric.', 'sacred.')


class LightningStandIn:
    """Inert attribute bag replacing any other allow-listed class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs

    def __setstate__(self, state: Any) -> None:
        self.state = state


# dict / list subclasses become plain containers (the weights-only
# unpickler fills only real dict / OrderedDict / list objects)
_KNOWN = {
    'pytorch_lightning.utilities.parsing.AttributeDict': OrderedDict,
    'lightning_fabric.utilities.data.AttributeDict': OrderedDict,
    'lightning.fabric.utilities.data.AttributeDict': OrderedDict,
    'sacred.config.custom_containers.ReadOnlyDict': OrderedDict,
    'sacred.config.custom_containers.ReadOnlyList': list,
    'sacred.config.custom_containers.DogmaticDict': OrderedDict,
    'sacred.config.custom_containers.DogmaticList': list,
}


def lightning_globals(names: List[str]) -> Optional[list]:
    """Stand-ins for ``names``, or None if one is outside the allow-list."""
    safe = []
    for name in names:
        if not name.startswith(LIGHTNING_NAMESPACES):
            return None
        stand_in = _KNOWN.get(name)
        if stand_in is None:
            # a distinct class per name, so keys such as callback classes
            # stay distinct
            stand_in = type(name.rsplit('.', 1)[-1], (LightningStandIn, ),
                            dict(__module__=name.rsplit('.', 1)[0]))
        safe.append((stand_in, name))
    return safe


def load_lightning_checkpoint(filename: str,
                              map_location: Any = 'cpu') -> Optional[dict]:
    """Load a Lightning checkpoint weights-only with allow-listed stand-ins.

    Args:
        filename (str): Local path.
        map_location: As for :func:`torch.load`. Defaults to ``'cpu'``.

    Returns:
        dict | None: The checkpoint; None if it references a global outside
        :data:`LIGHTNING_NAMESPACES` (the caller then decides about trust).
    """
    unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    safe = lightning_globals(unsafe)
    if safe is None:
        return None
    with torch.serialization.safe_globals(safe):
        checkpoint = torch.load(
            filename, map_location=map_location, weights_only=True)
    if unsafe:
        print_log(
            f'{filename}: loaded weights-only with inert stand-ins for '
            f'{sorted(unsafe)} (PyTorch-Lightning / sacred objects; only the '
            'tensors and plain values are used).',
            logger='current',
            level=logging.INFO)
    return checkpoint


def to_plain(obj: Any) -> Any:
    """Stand-ins and containers -> plain dict / list / scalars (for meta)."""
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)


def release_hparams(checkpoint: dict) -> Dict[str, Any]:
    """The sacred config stored by ``save_hyperparameters`` (may be empty)."""
    hparams = checkpoint.get('hyper_parameters') or {}
    if isinstance(hparams, dict):
        config = hparams.get('config', hparams)
        if isinstance(config, dict):
            return to_plain(config)
    return {}
