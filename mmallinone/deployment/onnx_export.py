"""ONNX export of the two retrieval towers (video-only and text-only paths).

All-in-One's retrieval is two-stream at inference: every video is encoded
once by the video-only path and every text once by the text-only path
(``encode_video`` / ``encode_text`` of the task model), and only the
optional re-ranking needs the joint path. So the two towers are exported as
two ONNX graphs:

- ``video_encoder.onnx``: ``frames`` float32 ``(B, S, 3, H, W)``, RGB in
  0-255 (the test pipeline's uint8 frames cast to float; the data
  preprocessor's mean/std normalisation is inside the graph) ->
  ``embeds`` ``(B, D)``;
- ``text_encoder.onnx``: ``input_ids`` / ``attention_mask`` int64
  ``(B, L)`` (the tokenizer's ids, right-padded, 1 = real token) ->
  ``embeds`` ``(B, D)``.

Embeddings are *not* L2-normalised (normalise before cosine similarity, as
:func:`mmallinone.apis.encode_videos` does). ``D`` is the retrieval
projection size for :class:`AllInOneRetrieval`, the pooled width for the
zero-shot retrieval model, and the backbone width ``C`` (visual / text CLS)
for any other task model, the same choice as :mod:`mmallinone.apis`.

Dynamic axes: batch on both; text length ``L`` (up to the backbone's
``max_text_len``); frames ``S >= 2`` when the video-only path does not roll
tokens (the default, ``roll_video_only=False``). The temporal table is
resized to ``S`` by a Python branch that returns the table itself when
``S`` equals the configured ``num_frames``; tracing with ``S = num_frames +
1`` records the interpolation, which is exact (``align_corners=True``) at
``S = num_frames`` too. One-frame clips (images) skip the temporal table in
PyTorch, which the traced graph cannot, hence ``S >= 2``. A video path that
rolls tokens (``roll_video_only=True``) is exported for ``num_frames`` only.

The exporter is PyTorch's TorchScript-based ``torch.onnx.export(...,
dynamo=False)``: the dynamo exporter needs ``onnxscript`` (not in the
pinned stack), and ``torch.export`` refuses a dynamic frame axis for the
same Python branch (it guards ``S != num_frames``). See
``docs/deployment.md``.
"""
import os
import os.path as osp
import warnings
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

__all__ = [
    'VideoEncoder', 'TextEncoder', 'export_onnx', 'frames_are_dynamic',
    'VIDEO_FILE', 'TEXT_FILE'
]

VIDEO_FILE = 'video_encoder.onnx'
TEXT_FILE = 'text_encoder.onnx'


class VideoEncoder(nn.Module):
    """Video tower: raw RGB frames -> embeddings.

    Args:
        model (nn.Module): A task model (``AllInOneBaseModel`` subclass).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        pre = model.data_preprocessor
        self.register_buffer('mean', pre.mean.detach().clone().float())
        self.register_buffer('std', pre.std.detach().clone().float())

    def forward(self, frames: Tensor) -> Tensor:
        """``(B, S, 3, H, W)`` 0-255 float -> ``(B, D)``."""
        imgs = (frames - self.mean) / self.std
        if self.model.can('embed'):
            return self.model.encode_video(imgs)
        return self.model.backbone.forward_video(imgs)[:, 0]


class TextEncoder(nn.Module):
    """Text tower: token ids and mask -> embeddings.

    Args:
        model (nn.Module): A task model (``AllInOneBaseModel`` subclass).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """``(B, L)`` int64 ids and mask -> ``(B, D)``."""
        if self.model.can('embed'):
            return self.model.encode_text(input_ids, attention_mask)
        return self.model.backbone.forward_text(input_ids,
                                                attention_mask)[:, 0]


def frames_are_dynamic(model: nn.Module) -> bool:
    """Whether the video-only path accepts any ``S >= 2`` once exported."""
    bb = model.backbone
    return not (bb.temporal_mode == 'rolling' and bb.roll_video_only)


def _check_exportable(model: nn.Module) -> None:
    bb = model.backbone
    if bb.patch_order != 'raster':
        raise ValueError(
            f'patch_order={bb.patch_order!r} draws a random patch '
            'permutation at every forward; only "raster" can be exported')
    if bb.autocast_dtype is not None:
        raise ValueError('Export in float32: build the model with '
                         'autocast_dtype=None')


def export_onnx(model: nn.Module,
                out_dir: str,
                opset: int = 17,
                img_size: Optional[Tuple[int, int]] = None,
                num_frames: Optional[int] = None,
                text_len: int = 8) -> Dict[str, str]:
    """Export both towers of ``model`` into ``out_dir``.

    Args:
        model (nn.Module): A task model in eval mode (CPU).
        out_dir (str): Output folder.
        opset (int): ONNX opset. Defaults to 17.
        img_size (tuple, optional): ``(H, W)`` of the frames (fixed in the
            graph). Defaults to the backbone's ``img_size``.
        num_frames (int, optional): Frames of a video path that rolls
            tokens (static). Defaults to the backbone's ``num_frames``.
        text_len (int): Length of the example text (the axis is dynamic).

    Returns:
        dict: ``video`` and ``text`` paths.
    """
    _check_exportable(model)
    model = model.eval()
    bb = model.backbone
    h, w = img_size or bb.img_size
    s = num_frames or bb.num_frames
    dynamic_frames = frames_are_dynamic(model)
    if dynamic_frames:
        s = max(2, bb.num_frames + 1)  # records the temporal resize
    os.makedirs(out_dir, exist_ok=True)
    paths = dict(video=osp.join(out_dir, VIDEO_FILE),
                 text=osp.join(out_dir, TEXT_FILE))
    video_axes = {0: 'batch', 1: 'frames'} if dynamic_frames else \
        {0: 'batch'}
    frames = torch.rand(2, s, 3, h, w) * 255
    text_len = min(text_len, bb.max_text_len)
    ids = torch.randint(1000, 2000, (2, text_len))
    ids[:, 0] = 101
    mask = torch.ones_like(ids)
    with torch.no_grad(), warnings.catch_warnings():
        # shape checks and the temporal resize branch are traced as
        # constants on purpose (see the module docstring)
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        torch.onnx.export(
            VideoEncoder(model).eval(), (frames, ),
            paths['video'],
            dynamo=False,
            opset_version=opset,
            input_names=['frames'],
            output_names=['embeds'],
            dynamic_axes={'frames': video_axes, 'embeds': {0: 'batch'}})
        torch.onnx.export(
            TextEncoder(model).eval(), (ids, mask),
            paths['text'],
            dynamo=False,
            opset_version=opset,
            input_names=['input_ids', 'attention_mask'],
            output_names=['embeds'],
            dynamic_axes={
                'input_ids': {0: 'batch', 1: 'length'},
                'attention_mask': {0: 'batch', 1: 'length'},
                'embeds': {0: 'batch'}
            })
    _add_metadata(paths['video'], dict(
        tower='video', input='frames float32 (B, S, 3, H, W) RGB 0-255',
        height=str(h), width=str(w),
        frames='>=2 (dynamic)' if dynamic_frames else str(s),
        normalised_inside='mean/std of the data preprocessor',
        model=type(model).__name__))
    _add_metadata(paths['text'], dict(
        tower='text', input='input_ids, attention_mask int64 (B, L)',
        max_length=str(bb.max_text_len), model=type(model).__name__))
    return paths


def _add_metadata(path: str, meta: Dict[str, str]) -> None:
    """Store how to feed the graph in its ``metadata_props``."""
    import onnx
    proto = onnx.load(path)
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, path)
