"""PyAV (FFmpeg) behind :class:`BaseVideoReader`, counting frames as decord.
"""
import bisect
import io
from typing import Iterator, List, Optional

import numpy as np

from .base import BaseVideoReader


class PyAVVideoReader(BaseVideoReader):
    """Accurate random access with PyAV, frame for frame as decord.

    Opening demuxes every packet of the video stream (no decoding) to count
    the frames and find the keyframes, as decord does. Reading frame ``i``
    seeks to the last keyframe ``k <= i`` and decodes forward, counting
    output frames from ``k``; sorted requests inside one keyframe interval
    continue decoding instead of seeking again. A keyframe asked on its
    own is decoded from its packet alone (the decoder is drained at once
    instead of being fed the packets its B-frame delay waits for), which
    makes keyframe-aware sampling (``SnapToKeyframes``) cheap. Only the
    requested frames are converted to RGB (``rgb24``, FFmpeg's swscale, as
    decord).

    Args:
        data (bytes): The whole video file.
        num_threads (int): FFmpeg decoding threads (1: no threading).
            Defaults to 1.
        device (str): Only ``'cpu'``. Defaults to ``'cpu'``.
    """

    backend = 'pyav'

    def __init__(self, data: bytes, num_threads: int = 1,
                 device: str = 'cpu') -> None:
        if device != 'cpu':
            raise ValueError(f'the pyav backend decodes on the CPU only, '
                             f'got device={device!r} (use torchcodec)')
        self._data = data
        self.num_threads = num_threads
        self._open()
        stream = self._stream
        # Index: one entry per packet of the stream (the demuxer's final
        # empty flush packet excluded), in decode order.
        self._key_indices: List[int] = []
        self._key_ts: List[Optional[int]] = []
        count = 0
        for packet in self._container.demux(stream):
            if packet.size == 0 and packet.pts is None and packet.dts is None:
                continue
            if packet.is_keyframe:
                self._key_indices.append(count)
                self._key_ts.append(self._ts(packet))
            count += 1
        self._num_frames = count
        if count and (not self._key_indices or self._key_indices[0] != 0):
            # decode from the start for anything before the first keyframe
            self._key_indices.insert(0, 0)
            self._key_ts.insert(0, None)
        if self._key_ts:
            self._key_ts[0] = None  # frame 0: reopen rather than seek
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        self._fps = float(rate) if rate else 0.0
        self._open()  # rewind: the index pass consumed the demuxer
        self._frames: Optional[Iterator] = None
        self._next_index = 0  # index of the frame _frames yields next

    @staticmethod
    def _ts(packet) -> Optional[int]:
        return packet.pts if packet.pts is not None else packet.dts

    def _open(self) -> None:
        import av
        self._container = av.open(io.BytesIO(self._data), mode='r',
                                  metadata_errors='ignore')
        if not self._container.streams.video:
            raise ValueError('no video stream')
        self._stream = self._container.streams.video[0]
        ctx = self._stream.codec_context
        ctx.thread_count = self.num_threads
        ctx.thread_type = 'AUTO' if self.num_threads != 1 else 'SLICE'

    def __len__(self) -> int:
        return self._num_frames

    def get_avg_fps(self) -> float:
        return self._fps

    def get_key_indices(self) -> List[int]:
        return list(self._key_indices)

    def _decoded_from(self, key_ts: Optional[int]) -> Iterator:
        """Frames decoded from the keyframe packet with timestamp ``key_ts``
        (``None``: from the start of the file). The demuxer is positioned
        before the generator starts."""
        if key_ts is None:
            self._open()
        else:
            self._container.seek(key_ts, backward=True, any_frame=False,
                                 stream=self._stream)
            self._stream.codec_context.flush_buffers()
        return self._decode_packets(key_ts)

    def _decode_packets(self, key_ts: Optional[int]) -> Iterator:
        started = key_ts is None
        for packet in self._container.demux(self._stream):
            if not started:
                ts = self._ts(packet)
                if ts != key_ts:
                    if ts is not None and ts > key_ts and packet.is_keyframe:
                        # the seek overshot: count from the start instead
                        raise _SeekMissed()
                    continue  # landed on an earlier packet: skip to it
                started = True
            yield from packet.decode()

    def _seek(self, key_pos: int) -> None:
        """Position the decoder on keyframe ``self._key_indices[key_pos]``."""
        self._frames = self._decoded_from(self._key_ts[key_pos])
        self._next_index = self._key_indices[key_pos]

    def _decode(self, indices: List[int]) -> np.ndarray:
        out = []
        for n, target in enumerate(indices):
            key_pos = bisect.bisect_right(self._key_indices, target) - 1
            key = self._key_indices[key_pos]
            resume = self._frames is not None and \
                key <= self._next_index <= target
            if not resume and target == key:
                nxt = self._key_indices[key_pos + 1] if key_pos + 1 < len(
                    self._key_indices) else self._num_frames
                if n + 1 == len(indices) or indices[n + 1] >= nxt:
                    frame = self._keyframe_alone(key_pos)
                    if frame is not None:
                        out.append(frame)
                        continue
            if not resume:
                self._seek(key_pos)
            out.append(self._advance_to(target, key_pos))
        return np.stack(out)

    def _keyframe_alone(self, key_pos: int) -> Optional[np.ndarray]:
        """Decode only the keyframe packet and drain the decoder.

        The decoder then returns the keyframe at once instead of after the
        packets its reordering delay (B-frames) holds back: the fast path
        of keyframe-aware sampling. ``None`` if the seek missed.
        """
        key_ts = self._key_ts[key_pos]
        if key_ts is None:
            self._open()
        else:
            self._container.seek(key_ts, backward=True, any_frame=False,
                                 stream=self._stream)
        ctx = self._stream.codec_context
        ctx.flush_buffers()
        self._frames = None  # the decoder is drained: seek next time
        frames = []
        for packet in self._container.demux(self._stream):
            if key_ts is not None and self._ts(packet) != key_ts:
                if self._ts(packet) is not None and \
                        self._ts(packet) > key_ts and packet.is_keyframe:
                    return None
                continue
            frames = list(ctx.decode(packet)) + list(ctx.decode(None))
            break
        ctx.flush_buffers()
        if not frames:
            return None
        return frames[0].to_ndarray(format='rgb24')

    def _advance_to(self, target: int, key_pos: int) -> np.ndarray:
        for attempt in range(2):
            try:
                while True:
                    frame = next(self._frames)
                    index = self._next_index
                    self._next_index += 1
                    if index == target:
                        return frame.to_ndarray(format='rgb24')
            except _SeekMissed:
                self._seek(0)
            except StopIteration:
                self._frames = None
                raise ValueError(
                    f'the decoder returned {self._next_index} frames, frame '
                    f'{target} of {self._num_frames} is missing') from None
        raise ValueError(f'cannot seek to frame {target}')

    def close(self) -> None:
        self._frames = None
        self._container.close()


class _SeekMissed(Exception):
    """The demuxer's seek landed after the wanted keyframe."""
