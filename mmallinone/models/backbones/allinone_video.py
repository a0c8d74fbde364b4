"""The All-in-One backbone as a video-only backbone for mmaction2 recognizers.

mmaction2's ``Recognizer3D`` feeds its backbone ``(N, C, T, H, W)`` clips
(``ActionDataPreprocessor(format_shape='NCTHW')``) and passes what it returns
to a head such as ``I3DHead``. :class:`AllInOneVideoBackbone` is the
:class:`AllInOneTransformer` with that interface: same parameters and key
names (so a pre-training or fine-tuning checkpoint of this project loads into
``Recognizer3D.backbone`` with ``load_from`` and no mapping), no text
embeddings, and an option to freeze everything for linear probing.

It is registered in mmallinone's ``MODELS``, a child of MMEngine's root
registry, so an mmaction2 config names it with the scope prefix::

    default_scope = 'mmaction'
    custom_imports = dict(imports=['mmallinone'], allow_failed_imports=False)
    model = dict(
        type='Recognizer3D',
        backbone=dict(type='mmallinone.AllInOneVideoBackbone', arch='base',
                      frozen=True, out_type='cls'),
        cls_head=dict(type='I3DHead', in_channels=768, num_classes=400,
                      spatial_type=None, dropout_ratio=0.0,
                      average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               format_shape='NCTHW', ...))
"""
from typing import Optional

import torch
from mmengine.registry import DefaultScope
from torch import Tensor

from mmallinone.registry import MODELS
from .allinone import AllInOneTransformer

__all__ = ['AllInOneVideoBackbone']


@MODELS.register_module()
class AllInOneVideoBackbone(AllInOneTransformer):
    """Video-only All-in-One for mmaction2: ``(N, 3, T, H, W) -> (N, C)``.

    The clip runs through the video-only path of :class:`AllInOneTransformer`
    (per-frame ViT, optional token rolling with ``roll_video_only``, final
    norm, mean over frames). The output is the visual CLS token
    (``out_type='cls'``) or the mean of the patch tokens (``'mean'``), both
    ``(N, C)``; use a head that accepts 2-D features (``I3DHead`` /
    ``TimeSformerHead`` with ``spatial_type=None``).

    Frame counts other than ``num_frames`` work: the temporal table is
    resized to ``T`` at run time, and a checkpoint's table of another length
    is fitted on loading (``temporal_inflation``).

    With ``frozen=True`` every parameter has ``requires_grad=False`` and the
    module stays in eval mode (no dropout, no stochastic depth) even when the
    recognizer calls ``train()``: a linear probe then trains only the head.
    Unfrozen, the same config fine-tunes the whole backbone.

    The text embeddings of :class:`AllInOneTransformer` are not built (the
    video-only path never uses them); their keys in a checkpoint are dropped
    with one log line.

    Args:
        frozen (bool): Freeze all parameters and keep eval mode. Defaults to
            False.
        out_type (str): ``'cls'`` (visual CLS token after the final norm,
            averaged over frames) or ``'mean'`` (mean over the patch tokens,
            extra tokens excluded). Defaults to ``'cls'``.
        pretrained (str, optional): Path (or URL) of a checkpoint of this
            project (``backbone.*`` keys of any mmallinone task model, or
            bare backbone keys). Same as ``init_cfg=dict(type='Pretrained',
            checkpoint=..., prefix='backbone.')``; released checkpoints of
            the authors are converted first
            (``tools/model_converters/allinone_to_mmallinone.py``).
            Defaults to None.
        pretrained_prefix (str): Key prefix of the backbone in
            ``pretrained``; ``''`` for a bare backbone state dict. Defaults to
            ``'backbone.'``.
        **kwargs: :class:`AllInOneTransformer` arguments (``arch``,
            ``img_size``, ``num_frames``, ``temporal_mode``, ...).
    """

    OUT_TYPES = ('cls', 'mean')

    def __init__(self,
                 frozen: bool = False,
                 out_type: str = 'cls',
                 pretrained: Optional[str] = None,
                 pretrained_prefix: str = 'backbone.',
                 init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        if out_type not in self.OUT_TYPES:
            raise ValueError(f'Unknown out_type {out_type!r}; valid: '
                             f'{self.OUT_TYPES}')
        if pretrained is not None:
            if init_cfg is not None:
                raise ValueError('Give either pretrained or init_cfg, not '
                                 'both.')
            init_cfg = dict(type='Pretrained', checkpoint=pretrained)
            if pretrained_prefix:
                init_cfg['prefix'] = pretrained_prefix
        # built from an mmaction2 config the default scope is 'mmaction':
        # nested builds (the temporal roll layer) must use ours
        with DefaultScope.overwrite_default_scope('mmallinone'):
            super().__init__(init_cfg=init_cfg, **kwargs)
        # the video-only path never reads the text tables
        del self.text_embeddings
        self.frozen = frozen
        self.out_type = out_type
        if frozen:
            self.requires_grad_(False)
            self.eval()

    # ------------------------------------------------------------- loading
    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              local_metadata: dict, strict: bool,
                              missing_keys: list, unexpected_keys: list,
                              error_msgs: list) -> None:
        """Drop the checkpoint's text-embedding keys, then load as usual."""
        from mmallinone.checkpoint.backbone_fitting import \
            drop_text_embedding_keys  # imported here: see the parent class
        drop_text_embedding_keys(state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)

    # ------------------------------------------------------------ training
    def train(self, mode: bool = True) -> 'AllInOneVideoBackbone':
        """Set the mode; a frozen backbone always stays in eval mode."""
        super().train(mode and not self.frozen)
        return self

    # ------------------------------------------------------------- forward
    def forward(self, imgs: Tensor) -> Tensor:  # type: ignore[override]
        """Encode clips.

        Args:
            imgs (Tensor): Normalised clips ``(N, 3, T, H, W)`` (mmaction2's
                ``NCTHW`` layout).

        Returns:
            Tensor: Features ``(N, C)``.
        """
        if imgs.dim() != 5 or imgs.shape[1] != 3:
            raise ValueError(
                'AllInOneVideoBackbone expects (N, 3, T, H, W) clips '
                "(ActionDataPreprocessor(format_shape='NCTHW')), got "
                f'{tuple(imgs.shape)}')
        frames = imgs.transpose(1, 2)  # (N, T, 3, H, W)
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.frozen):
            feats = self.forward_video(frames)  # (N, Lv, C)
        if self.out_type == 'cls':
            return feats[:, 0]
        return feats[:, self.num_extra_tokens:].mean(1)
