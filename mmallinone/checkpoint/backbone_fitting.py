"""What a backbone does to a checkpoint's state dict before loading it.

:class:`~mmallinone.models.backbones.AllInOneTransformer` and
:class:`~mmallinone.models.backbones.AllInOneVideoBackbone` call these from
their ``_load_from_state_dict`` (which runs for every loading path: strict
``load_state_dict``, ``load_from``, ``init_cfg=dict(type='Pretrained')``).
The tables are fitted with :mod:`.inflation`; every change is logged, nothing
is skipped silently (``docs/checkpoints.md``).
"""
import torch
from mmengine.logging import MMLogger
from torch import nn

from .inflation import (inflate_pos_embed, inflate_temporal_embed,
                        inflate_text_pos_embed)

__all__ = ['fit_backbone_tables', 'drop_text_embedding_keys']


def fit_backbone_tables(backbone: nn.Module, state_dict: dict,
                        prefix: str) -> None:
    """Fit a checkpoint's embedding tables to ``backbone``, in place.

    Drops the HF constant buffers, checks the distillation token, and
    inflates ``pos_embed`` (patch grid), ``temporal_embed`` (frame count;
    zeros when absent) and the text position table (text length).

    Args:
        backbone (nn.Module): An ``AllInOneTransformer``: reads its
            ``pos_embed``, ``grid_size``, ``num_extra_tokens``,
            ``dist_token``, ``temporal_embed``, ``num_frames``,
            ``temporal_inflation`` and ``max_text_len``.
        state_dict (dict): The (shared) state dict being loaded.
        prefix (str): The backbone's key prefix in ``state_dict``.

    Raises:
        ValueError: If the checkpoint has a distillation token that the
            backbone lacks.
    """
    logger = MMLogger.get_current_instance()
    for buf in ('position_ids', 'token_type_ids'):
        # HF buffers saved by transformers 4.x: constants, not weights
        state_dict.pop(f'{prefix}text_embeddings.{buf}', None)

    key = prefix + 'dist_token'
    if key in state_dict and backbone.dist_token is None:
        raise ValueError(
            f'The checkpoint has {key} (a distilled DeiT / All-in-One-S '
            'model) but this backbone has no distillation token; build '
            'it with with_dist_token=True.')

    key = prefix + 'pos_embed'
    if key in state_dict and state_dict[key].shape != \
            backbone.pos_embed.shape:
        src = state_dict[key]
        state_dict[key] = inflate_pos_embed(src, backbone.grid_size,
                                            backbone.num_extra_tokens)
        logger.info(f'Resized {key} from {tuple(src.shape)} to '
                    f'{tuple(state_dict[key].shape)} (bicubic on the '
                    f'patch grid, {backbone.num_extra_tokens} extra token '
                    'row(s) kept).')

    key = prefix + 'temporal_embed'
    if backbone.temporal_embed is None:
        if key in state_dict:
            state_dict.pop(key)
            logger.warning(f'{key} in the checkpoint is ignored: this '
                           'backbone has with_temporal_embed=False.')
    elif key not in state_dict:
        if prefix + 'pos_embed' in state_dict:
            state_dict[key] = torch.zeros_like(backbone.temporal_embed.data)
            logger.info(f'{key} is absent from the checkpoint (ImageNet '
                        'ViT or an All-in-One release without it); it '
                        'is set to zeros, which is what adding no '
                        'temporal embedding means.')
    elif state_dict[key].shape[1] != backbone.num_frames:
        src = state_dict[key]
        state_dict[key] = inflate_temporal_embed(src, backbone.num_frames,
                                                 backbone.temporal_inflation)
        logger.info(f'Fitted {key} from {src.shape[1]} to '
                    f'{backbone.num_frames} frames '
                    f'({backbone.temporal_inflation!r}).')

    key = prefix + 'text_embeddings.position_embeddings.weight'
    if key in state_dict and \
            state_dict[key].shape[0] != backbone.max_text_len:
        src = state_dict[key]
        state_dict[key] = inflate_text_pos_embed(src, backbone.max_text_len)
        how = ('truncated' if src.shape[0] > backbone.max_text_len else
               'extended (rows copied, new rows repeat the last one)')
        logger.info(f'Text position table {key} {how}: {src.shape[0]} '
                    f'-> {backbone.max_text_len} rows.')


def drop_text_embedding_keys(state_dict: dict, prefix: str) -> None:
    """Drop ``{prefix}text_embeddings.*`` (a video-only backbone), logged.

    Args:
        state_dict (dict): The (shared) state dict being loaded.
        prefix (str): The backbone's key prefix in ``state_dict``.
    """
    text_prefix = prefix + 'text_embeddings.'
    dropped = [k for k in state_dict if k.startswith(text_prefix)]
    for key in dropped:
        state_dict.pop(key)
    if dropped:
        MMLogger.get_current_instance().info(
            f'{len(dropped)} text-embedding key(s) ({text_prefix}*) of '
            'the checkpoint are not used by the video-only backbone.')
