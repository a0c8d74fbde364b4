"""Formatting: pack a video-text sample for the model."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform, to_tensor

from mmallinone.registry import TRANSFORMS

#: Text fields packed into the data sample as LongTensors when present.
TEXT_FIELDS = ('input_ids', 'mlm_input_ids', 'mlm_labels')


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
    """Pack frames and token ids into ``inputs`` and an ``ActionDataSample``.

    Output::

        {'inputs': {'imgs': uint8 Tensor (S, 3, H, W)},
         'data_samples': ActionDataSample}

    The data sample gets the fields ``input_ids`` (L, ), ``mlm_input_ids``
    (L, ), ``mlm_labels`` (L, ) as LongTensors and ``candidate_ids`` as a
    list of K LongTensors (those present in ``results``), ``label`` as the
    ``gt_label``, the ``algorithm_keys`` as tensors, and the ``meta_keys``
    present in ``results`` as metainfo.

    Required keys:

        - imgs (list[np.ndarray]): S uint8 RGB frames (H, W, 3), as produced
          by ``mmaction.DecordDecode`` / ``Resize`` / crops / ``Flip``.

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo when present.
            Defaults to ``('text', 'video_id', 'filename', 'sample_idx',
            'frame_inds', 'img_shape', 'clip_window')``.
        algorithm_keys (Sequence[str]): Extra keys set as data fields
            (converted with ``mmcv.transforms.to_tensor``), e.g. ``'label'``.
            Defaults to ().
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('text', 'video_id', 'filename',
                                             'sample_idx', 'frame_inds',
                                             'img_shape', 'clip_window'),
                 algorithm_keys: Sequence[str] = ()) -> None:
        self.meta_keys = tuple(meta_keys)
        self.algorithm_keys = tuple(algorithm_keys)

    def transform(self, results: dict) -> dict:
        """Pack ``results``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: ``{'inputs': {'imgs': Tensor}, 'data_samples': sample}``.
        """
        from mmaction.structures import ActionDataSample

        if 'imgs' not in results:
            raise KeyError('PackVideoTextInputs: results has no "imgs"')
        inputs = dict(imgs=frames_to_tensor(results['imgs']))
        sample = ActionDataSample()
        for key in TEXT_FIELDS:
            if key in results:
                sample.set_field(
                    torch.as_tensor(np.asarray(results[key]),
                                    dtype=torch.long), key)
        if 'candidate_ids' in results:  # K multiple-choice texts
            sample.set_field([
                torch.as_tensor(np.asarray(ids), dtype=torch.long)
                for ids in results['candidate_ids']
            ], 'candidate_ids')
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
                f'algorithm_keys={self.algorithm_keys})')
