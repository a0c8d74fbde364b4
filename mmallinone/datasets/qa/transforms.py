"""Loading transforms of the QA datasets: GIF decoding, frame windows."""
import io

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio

from mmallinone.registry import TRANSFORMS

__all__ = ['GifInit', 'GifDecode', 'RestrictToFrameWindow']



@TRANSFORMS.register_module()
class GifInit(BaseTransform):
    """Read a GIF's frame count and frame rate with Pillow.

    decord 0.6 cannot open GIFs ("broken metadata"), so TGIF pipelines use
    ``GifInit -> mmaction.UniformSample -> GifDecode`` in place of the
    decord pair.

    Required keys: ``filename``. Added keys: ``total_frames`` (int),
    ``avg_fps`` (float; from the frame durations, 10 when absent),
    ``gif_bytes`` (the file content, reused by :class:`GifDecode`).

    Args:
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self, backend_args=None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Count the frames."""
        data = fileio.get(results['filename'], backend_args=self.backend_args)
        from PIL import Image
        with Image.open(io.BytesIO(data)) as im:
            n = getattr(im, 'n_frames', 1)
            duration = 0.0
            for i in range(n):
                im.seek(i)
                duration += float(im.info.get('duration', 0) or 0)
        if n < 1:
            raise ValueError(f'GIF "{results["filename"]}" has no frames')
        results['gif_bytes'] = data
        results['total_frames'] = n
        results['avg_fps'] = n / (duration / 1000.0) if duration > 0 else 10.
        return results


@TRANSFORMS.register_module()
class GifDecode(BaseTransform):
    """Decode the sampled GIF frames as RGB (palette / RGBA converted).

    Required keys: ``gif_bytes`` (or ``filename``), ``frame_inds``.
    Added keys: ``imgs`` (list of uint8 (H, W, 3)), ``original_shape``,
    ``img_shape``. Removes ``gif_bytes``.

    Args:
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self, backend_args=None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Decode ``results['frame_inds']``."""
        from PIL import Image
        data = results.pop('gif_bytes', None)
        if data is None:
            data = fileio.get(
                results['filename'], backend_args=self.backend_args)
        inds = np.asarray(results['frame_inds']).reshape(-1)
        cache = {}
        imgs = []
        with Image.open(io.BytesIO(data)) as im:
            n = getattr(im, 'n_frames', 1)
            for idx in inds.tolist():
                idx = min(max(int(idx), 0), n - 1)
                if idx not in cache:
                    im.seek(idx)
                    cache[idx] = np.asarray(im.convert('RGB'), dtype=np.uint8)
                imgs.append(cache[idx].copy())
        results['imgs'] = imgs
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results


@TRANSFORMS.register_module()
class RestrictToFrameWindow(BaseTransform):
    """Restrict frame sampling to ``frame_window = (first, end)`` (frames).

    Like :class:`RestrictToClipWindow` but in frame units (Ego4D MC's
    120-frame window around the narration). Put it after
    ``mmaction.DecordInit``; ``end`` is exclusive; the window is clamped to
    the video and keeps at least one frame. No-op without ``frame_window``.
    """

    def transform(self, results: dict) -> dict:
        """Rewrite ``start_index`` / ``total_frames``."""
        window = results.get('frame_window')
        if window is None:
            return results
        total = int(results['total_frames'])
        first = min(max(0, int(window[0])), total - 1)
        end = min(total, max(first + 1, int(window[1])))
        results['video_total_frames'] = total
        results['start_index'] = results.get('start_index', 0) + first
        results['total_frames'] = end - first
        return results
