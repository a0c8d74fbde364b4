"""Build a long video from the demo videos joined end to end (PyAV, H.264)."""
import os.path as osp
from typing import List, Sequence, Tuple

import numpy as np


def join_videos(paths: Sequence[str], out_file: str, fps: int = 10,
                size: Tuple[int, int] = (320, 240)
                ) -> List[Tuple[str, float, float]]:
    """Concatenate videos into one H.264 MP4 at ``fps`` and ``size``.

    Each source is resampled to ``fps`` by timestamp (nearest earlier
    frame) and resized (aspect ratio not kept).

    Returns:
        list: ``(source name, start, end)`` seconds of each part in the
        output.
    """
    import av
    out = av.open(out_file, 'w')
    stream = out.add_stream('libx264', rate=fps)
    stream.width, stream.height = size
    stream.pix_fmt = 'yuv420p'
    parts, index = [], 0
    for path in paths:
        with av.open(path) as src:
            vs = src.streams.video[0]
            frames = [(float(f.time), f.to_image()) for f in src.decode(vs)]
        t0 = frames[0][0]
        duration = frames[-1][0] - t0 + 1.0 / float(vs.average_rate)
        n = max(1, int(round(duration * fps)))
        start = index / fps
        j = 0
        for k in range(n):
            t = t0 + k / fps
            while j + 1 < len(frames) and frames[j + 1][0] <= t:
                j += 1
            img = frames[j][1].resize(size)
            frame = av.VideoFrame.from_ndarray(np.asarray(img), 'rgb24')
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
            index += 1
        parts.append((osp.basename(path), start, index / fps))
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return parts
