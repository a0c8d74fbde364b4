"""Keyframe-aware sparse sampling: move sampled frames onto keyframes."""
import bisect
from typing import List

import numpy as np
from mmcv.transforms import BaseTransform

from mmallinone.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SnapToKeyframes(BaseTransform):
    """Move each sampled frame index to a nearby keyframe, plus a jitter.

    Decoding frame ``i`` exactly costs decoding every frame from the
    keyframe before ``i`` up to ``i``: about half a keyframe interval per
    sampled frame (30 frames for H.264 at 30 fps with a 2-s interval).
    Pre-training samples a few sparse frames where the exact frame hardly
    matters, so this transform, placed between the sampler
    (``SampleFrames``, ``UniformSample``) and the decode transform, replaces
    each index by ``k + j``: ``k`` the keyframe nearest to it (before or
    after) and ``j`` a random jitter in ``[0, max_jitter]`` that never
    crosses the next keyframe -- so decoding starts right at ``k`` and stops
    ``j`` frames later.

    An index keeps its exact value when no keyframe lies within
    ``max_shift`` seconds, or when its keyframe already took an earlier
    sample (sparse samples stay distinct); sorted indices stay sorted. Use
    it in training pipelines only; exact sampling stays the default, and
    evaluation pipelines should not snap.

    Required keys: ``frame_inds``, ``video_reader`` (any reader with
    ``get_key_indices()``: :class:`SafeVideoInit`'s or decord's),
    ``total_frames``, ``avg_fps``. Modified keys: ``frame_inds``. Added
    keys: ``frame_inds_exact`` (the indices before snapping).

    Args:
        max_jitter (int): Largest number of frames decoded past the
            keyframe. 0 (the default) decodes keyframes only -- the fast
            case (PyAV then decodes the keyframe packet alone); the sampled
            frames still vary between epochs, as the sampler's random index
            picks among the keyframes. Each jitter frame costs a decoded
            frame plus, on the first one, the decoder's B-frame delay.
        max_shift (float): Largest move, in seconds, from the sampled frame
            to its keyframe. Defaults to 1.0 (half the usual 2-s interval).
    """

    def __init__(self, max_jitter: int = 0, max_shift: float = 1.0) -> None:
        if max_jitter < 0:
            raise ValueError(f'max_jitter must be >= 0, got {max_jitter}')
        if max_shift <= 0:
            raise ValueError(f'max_shift must be > 0, got {max_shift}')
        self.max_jitter = max_jitter
        self.max_shift = max_shift

    def snap(self, inds: np.ndarray, keys: List[int], total: int,
             fps: float) -> np.ndarray:
        """Snapped copy of ``inds`` (any shape) for keyframes ``keys``."""
        flat = np.asarray(inds).reshape(-1)
        out = flat.copy()
        if not keys:
            return out.reshape(np.shape(inds))
        max_frames = self.max_shift * (fps if fps > 0 else 30.)
        originals = set(flat.tolist())
        taken = set()  # snapped values given out so far
        used_keys = set()
        for n, i in enumerate(flat.tolist()):
            pos = bisect.bisect_right(keys, i)
            near = [keys[p] for p in (pos - 1, pos) if 0 <= p < len(keys)]
            k = min(near, key=lambda key: (abs(key - i), key))
            if abs(k - i) > max_frames or k in used_keys:
                continue  # exact
            nxt = keys[keys.index(k) + 1] if k != keys[-1] else total
            room = max(0, min(self.max_jitter, nxt - 1 - k, total - 1 - k))
            start = int(np.random.randint(room + 1))
            # the drawn jitter first, then the others: never a value that
            # another sample has or keeps
            for j in [start] + [x for x in range(room + 1) if x != start]:
                new = k + j
                if new == i or (new not in taken and new not in originals):
                    used_keys.add(k)
                    taken.add(new)
                    out[n] = new
                    break
        if np.all(np.diff(flat) >= 0):
            out.sort()  # a sorted sampling stays in temporal order
        return out.reshape(np.shape(inds))

    def transform(self, results: dict) -> dict:
        """Snap ``results['frame_inds']``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        reader = results['video_reader']
        keys = sorted(int(k) for k in reader.get_key_indices())
        inds = np.asarray(results['frame_inds'])
        results['frame_inds_exact'] = inds
        results['frame_inds'] = self.snap(inds, keys,
                                          int(results['total_frames']),
                                          float(results.get('avg_fps', 0)))
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_jitter={self.max_jitter}, '
                f'max_shift={self.max_shift})')
