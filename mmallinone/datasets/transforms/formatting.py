"""Formatting: pack a video-text sample for the model."""
from typing import Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform, to_tensor

from mmallinone.registry import TRANSFORMS
from mmallinone.structures import TEXT_FIELDS, pack_token_ids


def frames_to_tensor(imgs) -> torch.Tensor:
    """Stack (H, W, 3) uint8 frames into a uint8 tensor (S, 3, H, W).

    Args:
        imgs (list[np.ndarray] | np.ndarray): S frames of shape (H, W, 3), or
            an array (S, H, W, 3).

    Returns:
        torch.Tensor: uint8 (S, 3, H, W), contiguous.
    """
    arr = np.stack(imgs) if isinstance(imgs, (list, tuple)) else \
        np.asarray(imgs)
    if arr.ndim != 4 or arr.shape[-1] != 3:
        raise ValueError('expected frames of shape (S, H, W, 3), got '
                         f'{arr.shape}')
    if arr.dtype != np.uint8:
        arr = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    return torch.from_numpy(np.ascontiguousarray(arr)).permute(
        0, 3, 1, 2).contiguous()


@TRANSFORMS.register_module()
class PackVideoTextInputs(BaseTransform):
    """Pack every model input into ``inputs``, labels and metainfo into an
    ``ActionDataSample``.

    Output::

        {'inputs': {'imgs': uint8 Tensor (S, 3, H, W) or (V, S, 3, H, W),
                    <every text field of the batch contract present>},
         'data_samples': ActionDataSample}

    Text fields are those of
    :data:`mmallinone.structures.TEXT_FIELDS` found in ``results``: a single
    text becomes a LongTensor ``(L,)``, a list of K texts one LongTensor
    ``(K, L_max)`` (see :func:`~mmallinone.structures.pack_token_ids`). The
    data sample gets ``label`` as ``gt_label``, the ``algorithm_keys`` as
    tensors and the ``meta_keys`` present in ``results`` as metainfo.

    Required keys:

        - imgs (list[np.ndarray]): uint8 RGB frames (H, W, 3), as produced
          by ``mmaction.DecordDecode`` / ``Resize`` / crops / ``Flip``.

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo when present.
            Defaults to ``('text', 'video_id', 'filename', 'sample_idx',
            'frame_inds', 'img_shape', 'clip_window')``.
        algorithm_keys (Sequence[str]): Extra keys set as data fields
            (converted with ``mmcv.transforms.to_tensor``), e.g. ``'label'``.
            Defaults to ().
        views_key (str, optional): Key of ``results`` holding the number of
            test views V (e.g. ``'num_clips'`` of ``mmaction.UniformSample``,
            whose V clips of S frames come one after another): the frames
            are packed as ``(V, S, 3, H, W)``. None (default) packs
            ``(S, 3, H, W)``.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('text', 'video_id', 'filename',
                                             'sample_idx', 'frame_inds',
                                             'img_shape', 'clip_window'),
                 algorithm_keys: Sequence[str] = (),
                 views_key: Optional[str] = None) -> None:
        self.meta_keys = tuple(meta_keys)
        self.algorithm_keys = tuple(algorithm_keys)
        self.views_key = views_key

    def pack_frames(self, results: dict) -> torch.Tensor:
        """``(S, 3, H, W)``, or ``(V, S, 3, H, W)`` with ``views_key``."""
        frames = frames_to_tensor(results['imgs'])
        if self.views_key is None:
            return frames
        views = int(results.get(self.views_key, 1) or 1)
        if frames.shape[0] % views:
            raise ValueError(f'{frames.shape[0]} frames do not split into '
                             f'{views} views ({self.views_key!r})')
        return frames.view(views, -1, *frames.shape[1:])

    @staticmethod
    def pack_texts(results: dict) -> dict:
        """Every text field of the batch contract found in ``results``,
        packed (``(L,)`` or ``(K, L_max)`` LongTensors)."""
        return {
            key: pack_token_ids(results[key], field)
            for key, field in TEXT_FIELDS.items() if key in results
        }

    def transform(self, results: dict) -> dict:
        """Pack ``results``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: ``{'inputs': dict, 'data_samples': ActionDataSample}``.
        """
        from mmaction.structures import ActionDataSample

        if 'imgs' not in results:
            raise KeyError(f'{self.__class__.__name__}: results has no '
                           '"imgs"')
        inputs = dict(imgs=self.pack_frames(results))
        inputs.update(self.pack_texts(results))
        sample = ActionDataSample()
        if 'label' in results:
            sample.set_gt_label(results['label'])
        for key in self.algorithm_keys:
            if key in results:
                sample.set_field(to_tensor(results[key]), key)
        sample.set_metainfo(
            {k: results[k]
             for k in self.meta_keys if k in results})
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(meta_keys={self.meta_keys}, '
                f'algorithm_keys={self.algorithm_keys}, '
                f'views_key={self.views_key!r})')
