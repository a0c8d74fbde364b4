"""Sliding windows over a long video, decoded by the model's test pipeline.

A long video is cut into windows of ``window`` seconds every ``stride``
seconds; each window is sampled and cropped exactly as a whole clip would be
(the test pipeline's frame sampler runs on the window's frames only), so a
window embedding is comparable with a clip embedding. Timestamps are kept.

Example::

    from mmallinone.apis import init_model, load_video_windows
    model = init_model(config, checkpoint)
    frames, spans = load_video_windows(model, 'long.mp4', window=4,
                                       stride=2)
    # frames: uint8 (N, V, S, 3, H, W); spans: [(0.0, 4.0), (2.0, 6.0), ...]
"""
import os
import os.path as osp
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from .inference import PathLike, _data

__all__ = ['sliding_windows', 'load_video_windows']

Span = Tuple[float, float]


def sliding_windows(duration: float, window: Optional[float] = None,
                    stride: Optional[float] = None) -> List[Span]:
    """``(start, end)`` seconds of the windows covering ``[0, duration]``.

    Windows start every ``stride`` seconds; the last one is moved back to
    end at ``duration`` when the stride does not land there, so the whole
    video is covered. A video not longer than ``window`` (or
    ``window=None``) is one window.

    Args:
        duration (float): Video length in seconds.
        window (float, optional): Window length in seconds.
        stride (float, optional): Seconds between window starts. Defaults to
            ``window`` (no overlap).

    Returns:
        list[tuple[float, float]]: Spans rounded to milliseconds, in order.
    """
    if duration <= 0:
        raise ValueError(f'duration must be > 0, got {duration}')
    if window is None:
        return [(0.0, round(duration, 3))]
    stride = window if stride is None else stride
    if window <= 0 or stride <= 0:
        raise ValueError(f'window and stride must be > 0 seconds, got '
                         f'window={window}, stride={stride}')
    if duration <= window:
        return [(0.0, round(duration, 3))]
    spans, start = [], 0.0
    while start + window <= duration + 1e-6:
        spans.append((round(start, 3), round(start + window, 3)))
        start += stride
    if spans[-1][1] < duration - 1e-3:
        spans.append((round(duration - window, 3), round(duration, 3)))
    return spans


@torch.no_grad()
def load_video_windows(model: nn.Module, video: PathLike,
                       window: Optional[float] = None,
                       stride: Optional[float] = None
                       ) -> Tuple[Tensor, List[Span]]:
    """Decode the sliding windows of one video with the test pipeline.

    The pipeline's transforms up to the one that counts the frames
    (``total_frames``, e.g. ``SafeDecordInit``) open the file once; then,
    per window, the remaining transforms (sampler, decoder, resize, crop)
    run with ``total_frames`` and ``start_index`` set to the window's
    frames, which is how mmaction2's samplers address a frame range.
    With ``window=None`` the single window is the whole video and the
    frames equal :func:`~mmallinone.apis.load_video`'s.

    Args:
        model (nn.Module): A model from :func:`init_model`.
        video (str | Path): A video file.
        window (float, optional): Window length in seconds.
        stride (float, optional): Seconds between windows. Defaults to
            ``window``.

    Returns:
        tuple: uint8 frames ``(N, V, S, 3, H, W)`` of the ``N`` windows and
        their ``(start, end)`` seconds.
    """
    data = _data(model)
    path = os.fspath(video)
    if not osp.isfile(path):
        raise FileNotFoundError(f'Video file not found: "{path}"')
    if osp.getsize(path) == 0:
        raise ValueError(f'Video file is empty: "{path}"')
    transforms = list(data.video_pipeline.transforms)
    results = dict(filename=path, start_index=0, modality='RGB')
    try:
        for i, transform in enumerate(transforms):
            results = transform(results)
            if results is None:
                raise RuntimeError('a transform returned None')
            if 'total_frames' in results:
                break
        else:
            raise RuntimeError('no transform of the test pipeline counts the '
                               'frames (total_frames)')
        rest = transforms[i + 1:]
        total = int(results['total_frames'])
        fps = float(results.get('avg_fps') or 0)
        if total < 1 or fps <= 0:
            raise RuntimeError(f'{total} frames at {fps} fps')
        spans = sliding_windows(total / fps, window, stride)
        clips = []
        for start, end in spans:
            first = min(int(round(start * fps)), total - 1)
            last = min(max(int(round(end * fps)), first + 1), total)
            res = dict(results)
            res['start_index'] = results['start_index'] + first
            res['total_frames'] = last - first
            for transform in rest:
                res = transform(res)
                if res is None:
                    raise RuntimeError('a transform returned None')
            clips.append(data.packer.pack_frames(res))  # (V, S, 3, H, W)
    except Exception as err:
        raise RuntimeError(f'Cannot decode "{path}" with the test pipeline: '
                           f'{type(err).__name__}: {err}') from err
    return torch.stack(clips), spans
