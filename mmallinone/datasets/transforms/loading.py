"""Loading transforms: an image as a one-frame clip, caption time windows."""
import hashlib
import math
import os
import os.path as osp
import zipfile
from collections import OrderedDict
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio

from mmallinone.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImageAsClip(BaseTransform):
    """Read an image file as a clip of ``clip_len`` identical RGB frames.

    Lets an image-text dataset share the tail of a video pipeline
    (``mmaction.Resize`` / crops / ``mmaction.Flip`` / text transforms /
    :class:`PackVideoTextInputs`): it writes the same keys as
    ``mmaction.DecordInit`` + ``mmaction.UniformSample`` +
    ``mmaction.DecordDecode``.

    Required keys:

        - filename (str): path or URI of the image (any mmengine backend).

    Added keys:

        - imgs (list[np.ndarray]): ``clip_len`` uint8 (H, W, 3) RGB frames
          (the same array repeated).
        - total_frames (int): 1.
        - start_index (int): 0.
        - frame_inds (np.ndarray): int32 zeros of shape (clip_len, ).
        - clip_len, num_clips, frame_interval, modality
        - img_shape, original_shape (tuple[int, int]): (H, W).

    Args:
        clip_len (int): Number of frames of the output clip (the authors
            broadcast an image to ``num_frames`` frames). Defaults to 1.
        backend_args (dict, optional): mmengine file backend arguments.
            Defaults to None.
        imdecode_backend (str): Backend of ``mmcv.imfrombytes``.
            Defaults to ``'cv2'``.
    """

    def __init__(self,
                 clip_len: int = 1,
                 backend_args: Optional[dict] = None,
                 imdecode_backend: str = 'cv2') -> None:
        if clip_len < 1:
            raise ValueError(f'clip_len must be >= 1, got {clip_len}')
        self.clip_len = clip_len
        self.backend_args = backend_args
        self.imdecode_backend = imdecode_backend

    def transform(self, results: dict) -> dict:
        """Load the image.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        filename = results['filename']
        img_bytes = fileio.get(filename, backend_args=self.backend_args)
        img = mmcv.imfrombytes(
            img_bytes, flag='color', channel_order='rgb',
            backend=self.imdecode_backend)
        if img is None:
            raise ValueError(f'LoadImageAsClip: cannot decode "{filename}"')
        results['imgs'] = [img] * self.clip_len
        results['total_frames'] = 1
        results['start_index'] = 0
        results['frame_inds'] = np.zeros(self.clip_len, dtype=np.int32)
        results['clip_len'] = self.clip_len
        results['num_clips'] = 1
        results['frame_interval'] = None
        results['modality'] = 'RGB'
        results['original_shape'] = img.shape[:2]
        results['img_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'imdecode_backend={self.imdecode_backend!r})')


@TRANSFORMS.register_module()
class RestrictToClipWindow(BaseTransform):
    """Restrict frame sampling to a time window ``[start, end]`` (seconds).

    Put it right after ``mmaction.DecordInit`` and before a sampler
    (``mmaction.UniformSample`` / ``mmaction.SampleFrames``). mmaction2's
    samplers draw indices in ``[0, total_frames)`` and add
    ``start_index``; this transform rewrites both so that the window's
    frames are the whole "video" the sampler sees. It does nothing when
    ``results`` has no ``clip_window`` (so one pipeline serves datasets with
    and without windows).

    The window is converted with the decoder's fps
    (``results['avg_fps']``, written by ``mmaction.DecordInit``):
    first frame ``floor(start * fps)``, last frame ``ceil(end * fps) - 1``,
    clamped to the video. A window past the end of the video (annotation
    and file disagree) keeps at least ``min_frames`` frames at the end of
    the video.

    Required keys:

        - total_frames (int), avg_fps (float)
        - clip_window (tuple[float, float], optional): (start, end) in s.

    Modified keys:

        - total_frames (int): frames in the window.
        - start_index (int): index of the window's first frame (plus the
          original ``start_index``, 0 if absent).

    Added keys:

        - video_total_frames (int): frames of the whole video.
        - window_frames (tuple[int, int]): first and last frame (inclusive).

    Args:
        min_frames (int): Minimum frames kept in the window. Defaults to 1.
        fps_key (str): Key of the frame rate. Defaults to ``'avg_fps'``.
    """

    def __init__(self, min_frames: int = 1, fps_key: str = 'avg_fps') -> None:
        if min_frames < 1:
            raise ValueError(f'min_frames must be >= 1, got {min_frames}')
        self.min_frames = min_frames
        self.fps_key = fps_key

    def transform(self, results: dict) -> dict:
        """Rewrite ``total_frames`` and ``start_index`` to the window.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict.
        """
        window = results.get('clip_window')
        if window is None:
            return results
        start, end = float(window[0]), float(window[1])
        if end < start:
            raise ValueError(f'clip_window end < start: {window}')
        fps = results.get(self.fps_key)
        if not fps or fps <= 0:
            raise ValueError(f'RestrictToClipWindow: no valid fps in '
                             f'results["{self.fps_key}"] ({fps!r})')
        total = int(results['total_frames'])
        if total < 1:
            raise ValueError(f'video "{results.get("filename")}" has no '
                             'frames')
        first = max(0, int(math.floor(start * fps)))
        last = min(total - 1, int(math.ceil(end * fps)) - 1)
        min_frames = min(self.min_frames, total)
        first = min(first, total - min_frames)
        last = max(last, first + min_frames - 1)
        results['video_total_frames'] = total
        results['window_frames'] = (first, last)
        results['start_index'] = results.get('start_index', 0) + first
        results['total_frames'] = last - first + 1
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(min_frames={self.min_frames}, '
                f'fps_key={self.fps_key!r})')


class _DecodedVideoCache:
    """Process-local cache of fully decoded small videos, bounded in bytes.

    Each dataloader worker holds its own cache; with persistent workers it
    survives across epochs. Entries: ``filename -> (frames (T, H, W, 3)
    uint8, fps)``; oldest entries are evicted first. With a ``cache_dir`` a
    miss first looks for the frames saved there by an earlier process (one
    ``.npz`` per video, keyed by path, size and modification time, so an
    edited video is decoded again) and saves what it decodes.
    """

    def __init__(self) -> None:
        self.entries: 'OrderedDict[str, tuple]' = OrderedDict()
        self.nbytes = 0

    @staticmethod
    def _disk_path(filename: str, cache_dir: str) -> str:
        stat = os.stat(filename)
        key = f'{osp.abspath(filename)}:{stat.st_size}:{stat.st_mtime_ns}'
        return osp.join(cache_dir,
                        hashlib.sha1(key.encode()).hexdigest() + '.npz')

    @staticmethod
    def _decode(filename: str, cache_dir: Optional[str]) -> tuple:
        disk = None
        if cache_dir is not None:
            disk = _DecodedVideoCache._disk_path(filename, cache_dir)
            if osp.isfile(disk):
                try:
                    with np.load(disk) as saved:
                        return saved['frames'], float(saved['fps'])
                except (OSError, EOFError, ValueError, KeyError,
                        zipfile.BadZipFile):
                    pass  # a damaged entry: decode again and overwrite it
        from .video_readers import open_video
        with open(filename, 'rb') as f:
            reader = open_video(f.read(), 'auto')  # decord where installed
        frames = reader.get_batch(list(range(len(reader))))
        fps = float(reader.get_avg_fps())
        reader.close()
        if disk is not None:
            os.makedirs(cache_dir, exist_ok=True)
            # write-then-rename: concurrent processes never read half a file
            tmp = f'{disk}.{os.getpid()}.tmp.npz'
            np.savez(tmp, frames=frames, fps=np.float64(fps))
            os.replace(tmp, disk)
        return frames, fps

    def get(self, filename: str, max_bytes: int,
            cache_dir: Optional[str] = None) -> tuple:
        if filename in self.entries:
            self.entries.move_to_end(filename)
            return self.entries[filename]
        entry = self._decode(filename, cache_dir)
        frames = entry[0]
        if frames.nbytes <= max_bytes:
            self.entries[filename] = entry
            self.nbytes += frames.nbytes
            while self.nbytes > max_bytes:
                _, (old, _) = self.entries.popitem(last=False)
                self.nbytes -= old.nbytes
        return entry


_CACHE = _DecodedVideoCache()


@TRANSFORMS.register_module()
class CachedVideoInit(BaseTransform):
    """Decode a whole (small) video once and cache its frames.

    A drop-in for ``mmaction.DecordInit`` when the same tiny videos are read
    thousands of times (synthetic benchmarks, the demo set): the frames are
    decoded on first access (decord, else torchcodec or PyAV: the same
    frames) and kept in memory, so training is
    not bound by decoding. Pair it with :class:`CachedVideoDecode` instead of
    ``mmaction.DecordDecode``; mmaction2's samplers (``UniformSample``,
    ``SampleFrames``) run unchanged in between.

    Added keys: ``total_frames``, ``avg_fps``, ``video_cache_key``,
    ``video_cache_dir``.

    Args:
        max_bytes (int): In-memory budget per process. Defaults to 1 GiB.
        cache_dir (str, optional): Also keep the decoded frames on disk
            here (uncompressed ``.npz``), shared by processes and runs: the
            next run (another mode of an ablation, a dataloader worker, a
            test) loads them instead of decoding. A changed video (size or
            modification time) is decoded again. Defaults to None (memory
            only).
    """

    def __init__(self, max_bytes: int = 1 << 30,
                 cache_dir: Optional[str] = None) -> None:
        self.max_bytes = max_bytes
        self.cache_dir = cache_dir

    def transform(self, results: dict) -> dict:
        frames, fps = _CACHE.get(results['filename'], self.max_bytes,
                                 self.cache_dir)
        results['total_frames'] = len(frames)
        results['avg_fps'] = fps
        results['video_cache_key'] = results['filename']
        results['video_cache_dir'] = self.cache_dir
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_bytes={self.max_bytes}, '
                f'cache_dir={self.cache_dir!r})')


@TRANSFORMS.register_module()
class CachedVideoDecode(BaseTransform):
    """Pick ``frame_inds`` from the frames cached by :class:`CachedVideoInit`.

    Added keys: ``imgs`` (list of (H, W, 3) uint8 RGB), ``img_shape``,
    ``original_shape``.
    """

    def transform(self, results: dict) -> dict:
        # 0: never (re)insert here; an evicted video is decoded once more
        frames, _ = _CACHE.get(results['video_cache_key'], 0,
                               results.get('video_cache_dir'))
        inds = np.asarray(results['frame_inds']).reshape(-1)
        inds = np.clip(inds, 0, len(frames) - 1)  # as DecordDecode's mod
        imgs = [frames[i] for i in inds]
        results['imgs'] = imgs
        results['img_shape'] = imgs[0].shape[:2]
        results['original_shape'] = imgs[0].shape[:2]
        return results
