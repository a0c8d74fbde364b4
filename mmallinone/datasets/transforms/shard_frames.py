"""Decode the pre-sampled JPEG frames of a frame shard as a clip."""
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmallinone.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadShardFrames(BaseTransform):
    """Decode ``clip_len`` of the K stored frames of a frame-shard sample.

    ``tools/data/make_shards.py --mode frames`` stores K frames per clip as
    members ``{key}.0.jpg`` ... ``{key}.{K-1}.jpg`` (sampled like
    ``mmaction.UniformSample`` in test mode: the middle of K equal
    segments). :class:`~mmallinone.datasets.VideoTextShardDataset` puts
    their bytes, in order, in ``results['frame_bytes']``. This transform
    replaces ``SafeDecordInit`` + ``mmaction.UniformSample`` +
    ``mmaction.DecordDecode`` in the pipeline and writes the same keys, so
    resizing, cropping, flipping and packing stay as they are.

    Frame choice: with K == ``clip_len`` all K; otherwise ``clip_len`` equal
    segments of the K frames and one frame per segment (random in training,
    the middle one with ``test_mode=True``). ``frame_inds`` are indices into
    the K stored frames.

    Required keys: ``frame_bytes`` (list of K encoded images), ``filename``.
    Added keys: ``imgs`` (list of uint8 (H, W, 3) RGB arrays),
    ``frame_inds``, ``total_frames`` (K), ``clip_len``, ``num_clips``,
    ``frame_interval``, ``start_index``, ``modality``, ``original_shape``,
    ``img_shape``.

    Args:
        clip_len (int): Frames per clip. Defaults to 3.
        test_mode (bool): Deterministic frame choice. Defaults to False.
        imdecode_backend (str): ``mmcv.imfrombytes`` backend.
            Defaults to ``'cv2'``.
    """

    def __init__(self, clip_len: int = 3, test_mode: bool = False,
                 imdecode_backend: str = 'cv2') -> None:
        if clip_len < 1:
            raise ValueError(f'clip_len must be >= 1, got {clip_len}')
        self.clip_len = clip_len
        self.test_mode = test_mode
        self.imdecode_backend = imdecode_backend

    def _indices(self, num: int) -> np.ndarray:
        if num == self.clip_len:
            return np.arange(num)
        edges = np.linspace(0, num, self.clip_len + 1)
        if self.test_mode:
            inds = (edges[:-1] + edges[1:]) / 2
        else:
            inds = edges[:-1] + np.random.rand(self.clip_len) * np.diff(edges)
        return np.clip(inds.astype(np.int64), 0, num - 1)

    def transform(self, results: dict) -> Optional[dict]:
        """Decode the chosen frames.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        frames = results.pop('frame_bytes', None)
        name = results.get('filename', '<frames>')
        if not frames:
            raise ValueError(f'LoadShardFrames: "{name}" has no frame_bytes '
                             '(not a frame-shard sample)')
        inds = self._indices(len(frames))
        imgs = []
        for i in inds:
            img = mmcv.imfrombytes(frames[i], flag='color',
                                   channel_order='rgb',
                                   backend=self.imdecode_backend)
            if img is None:
                raise ValueError(f'LoadShardFrames: cannot decode frame {i} '
                                 f'of "{name}"')
            imgs.append(img)
        if len({img.shape for img in imgs}) != 1:
            raise ValueError(f'LoadShardFrames: frames of "{name}" differ in '
                             'size')
        results['imgs'] = imgs
        results['frame_inds'] = inds.astype(np.int32)
        results['total_frames'] = len(frames)
        results['clip_len'] = self.clip_len
        results['num_clips'] = 1
        results['frame_interval'] = None
        results['start_index'] = 0
        results['modality'] = 'RGB'
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'test_mode={self.test_mode})')
