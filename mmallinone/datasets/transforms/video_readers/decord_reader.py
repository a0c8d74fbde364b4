"""decord behind :class:`BaseVideoReader` (the reference backend)."""
from typing import List

import numpy as np

from .base import BaseVideoReader


class DecordVideoReader(BaseVideoReader):
    """``decord.VideoReader`` over in-memory bytes.

    Args:
        data (bytes): The whole video file.
        num_threads (int): Decoding threads. Defaults to 1.
        device (str): Only ``'cpu'``. Defaults to ``'cpu'``.
    """

    backend = 'decord'

    def __init__(self, data: bytes, num_threads: int = 1,
                 device: str = 'cpu') -> None:
        if device != 'cpu':
            raise ValueError(f'the decord backend decodes on the CPU only, '
                             f'got device={device!r} (use torchcodec)')
        from ..video_check import open_decord_quietly
        self.reader = open_decord_quietly(data, '<bytes>', num_threads)

    def __len__(self) -> int:
        return len(self.reader)

    def get_avg_fps(self) -> float:
        return float(self.reader.get_avg_fps())

    def get_key_indices(self) -> List[int]:
        return [int(i) for i in self.reader.get_key_indices()]

    def _decode(self, indices: List[int]) -> np.ndarray:
        return self.reader.get_batch(indices).asnumpy()
