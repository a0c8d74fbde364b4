"""The interface every video decoder backend implements."""
from abc import ABCMeta, abstractmethod
from typing import List, Sequence

import numpy as np


class BaseVideoReader(metaclass=ABCMeta):
    """A video opened from its bytes, indexed the way decord indexes it.

    Frame ``i`` is the ``i``-th frame the decoder outputs (display order;
    for a file whose timestamps are broken, e.g. an AVI with packed
    B-frames, this is the decode output order, as decord counts). The frame
    count is the number of video packets and the frame rate is the stream's
    average frame rate, as ``decord.VideoReader`` reports them, so that
    mmaction2's samplers pick the same ``frame_inds`` whatever the backend.

    Subclasses implement :meth:`__len__`, :meth:`get_avg_fps`,
    :meth:`get_key_indices` and :meth:`_decode`.
    """

    #: Backend name used in configs (``SafeVideoInit(backend=...)``).
    backend: str = ''

    @abstractmethod
    def __len__(self) -> int:
        """Number of frames."""

    @abstractmethod
    def get_avg_fps(self) -> float:
        """Average frame rate (frames per second)."""

    @abstractmethod
    def get_key_indices(self) -> List[int]:
        """Sorted indices of the keyframes (random-access points)."""

    @abstractmethod
    def _decode(self, indices: List[int]) -> np.ndarray:
        """Decode sorted, unique, in-range ``indices``.

        Returns:
            np.ndarray: (N, H, W, 3) uint8 RGB frames.
        """

    def get_batch(self, indices: Sequence[int]) -> np.ndarray:
        """Decode the frames at ``indices`` (any order, repeats allowed).

        Args:
            indices (Sequence[int]): Frame indices in ``[0, len(self))``.

        Returns:
            np.ndarray: (N, H, W, 3) uint8 RGB frames in the order asked.
        """
        inds = np.asarray(indices, dtype=np.int64).reshape(-1)
        if inds.size == 0:
            raise ValueError('get_batch: no frame indices')
        n = len(self)
        if inds.min() < 0 or inds.max() >= n:
            raise IndexError(f'frame indices {inds.tolist()} out of range '
                             f'for a video of {n} frames')
        unique, inverse = np.unique(inds, return_inverse=True)
        frames = self._decode(unique.tolist())
        return frames[inverse.reshape(-1)]

    def close(self) -> None:
        """Release the decoder (optional)."""
