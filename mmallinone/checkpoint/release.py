"""Loading the authors' released ``.ckpt`` files into mmallinone layout."""
import logging
import pickle
from typing import Any, Dict, Optional

import torch
from mmengine.logging import print_log

from .key_mapping import convert_allinone_to_mmallinone, is_allinone_release
from .lightning_io import load_lightning_checkpoint, release_hparams

__all__ = [
    'load_allinone_release', 'suggest_backbone_cfg',
    'convert_release_checkpoint', 'maybe_convert_release'
]

_ARCHS = {192: 'tiny', 384: 'small', 768: 'base', 1024: 'large'}


def load_allinone_release(filename: str,
                          map_location: Any = 'cpu',
                          trust: bool = False) -> dict:
    """Load a released checkpoint as is (no key mapping).

    Tries ``weights_only=True``, then weights-only with Lightning / sacred
    stand-ins (:func:`load_lightning_checkpoint`); full unpickling only when
    ``trust`` is True.

    Raises:
        pickle.UnpicklingError: If the file needs full unpickling and
            ``trust`` is False.
    """
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        checkpoint = load_lightning_checkpoint(filename, map_location)
        if checkpoint is not None:
            return checkpoint
        if not trust:
            raise pickle.UnpicklingError(
                f'{filename} references Python objects outside the '
                'PyTorch-Lightning / sacred allow-list; refusing to unpickle '
                'it. Pass --trust (converters) or set '
                'MMALLINONE_TRUST_CHECKPOINTS=1 if you trust its origin. '
                f'Original error: {error}') from None
    return torch.load(filename, map_location=map_location, weights_only=False)


def suggest_backbone_cfg(state_dict: Dict[str, torch.Tensor],
                         hparams: Optional[dict] = None) -> dict:
    """Backbone arguments that match a converted checkpoint's shapes.

    Args:
        state_dict (dict): Output of :func:`convert_allinone_to_mmallinone`.
        hparams (dict, optional): The release's sacred config.

    Returns:
        dict: ``arch``, ``num_frames``, ``max_text_len``, ``vocab_size``,
        ``with_dist_token``, ``with_temporal_embed`` where derivable.
    """
    cfg: Dict[str, Any] = {}
    hparams = hparams or {}
    word = state_dict.get('backbone.text_embeddings.word_embeddings.weight')
    if word is not None:
        cfg['vocab_size'] = int(word.shape[0])
        dims = int(word.shape[1])
        depth = len({
            k.split('.')[2]
            for k in state_dict if k.startswith('backbone.blocks.')
        })
        arch = _ARCHS.get(dims)
        if arch is None or (depth != 12 and arch != 'large'):
            heads = int(hparams.get('num_heads', max(1, dims // 64)))
            arch = dict(embed_dims=dims, num_layers=depth, num_heads=heads)
        cfg['arch'] = arch
    pos = state_dict.get('backbone.text_embeddings.position_embeddings.weight')
    if pos is not None:
        cfg['max_text_len'] = int(pos.shape[0])
    temporal = state_dict.get('backbone.temporal_embed')
    cfg['with_temporal_embed'] = True
    if temporal is not None:
        cfg['num_frames'] = int(temporal.shape[1])
    elif 'num_frames' in hparams:
        cfg['num_frames'] = int(hparams['num_frames'])
    cfg['with_dist_token'] = 'backbone.dist_token' in state_dict
    return cfg


def convert_release_checkpoint(checkpoint: dict,
                               source: str = '') -> dict:
    """A loaded release -> ``dict(state_dict=..., meta=...)`` in our layout.

    Logs every key left out. Used by the registered local checkpoint loader,
    so ``load_from='x.ckpt'`` / ``init_cfg=dict(type='Pretrained', ...)``
    accept a release directly.
    """
    state_dict, report = convert_allinone_to_mmallinone(checkpoint)
    hparams = release_hparams(checkpoint)
    level = logging.WARNING if report.unmapped else logging.INFO
    print_log(
        f'{source or "checkpoint"} is an All-in-One release (PyTorch-'
        f'Lightning layout); converted to mmallinone keys:\n'
        f'{report.summary()}',
        logger='current',
        level=level)
    meta = dict(
        converted_from='allinone_release',
        source=str(source),
        unmapped=list(report.unmapped),
        suggested_backbone=suggest_backbone_cfg(state_dict, hparams),
        allinone_config=hparams)
    return dict(state_dict=state_dict, meta=meta)


def maybe_convert_release(checkpoint: Any, source: str = '') -> Any:
    """Convert when ``checkpoint`` is a release, else return it unchanged."""
    if is_allinone_release(checkpoint):
        return convert_release_checkpoint(checkpoint, source)
    return checkpoint
