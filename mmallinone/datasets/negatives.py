"""Negative (false-video) sampling for video-text matching.

With ``num_false_videos=1`` every sample carries ``inputs['false_imgs']``
(uint8 ``(S, 3, H, W)``): the frames of a random *other* sample of the
dataset run through the same pipeline. The pre-training model declares
whether it trains on these (``vtm_negative_source='dataset'``) or on
in-batch negatives (``'batch'``); the runner checks that model and data
agree before building them.
"""
from typing import Optional

import numpy as np


class FalseVideoMixin:
    """Draw a false video for every sample.

    The host class provides ``__len__``, ``max_refetch``, ``_load(idx)``
    (``None`` when the sample fails to load) and calls
    :meth:`_init_false_videos` in its ``__init__`` (and
    :meth:`_check_false_videos` once the data list is loaded).
    """

    def _init_false_videos(self, num_false_videos: int) -> None:
        """Check and store ``num_false_videos`` (0 or 1)."""
        if num_false_videos not in (0, 1):
            raise ValueError('num_false_videos must be 0 or 1, got '
                             f'{num_false_videos}')
        self.num_false_videos = num_false_videos

    def _check_false_videos(self) -> None:
        """A false video needs a second sample."""
        if self.num_false_videos and self._fully_initialized and len(self) < 2:
            raise ValueError(f'{type(self).__name__}: num_false_videos=1 '
                             'needs at least 2 samples')

    def _rand_other(self, idx: int) -> int:
        """A random index different from ``idx``."""
        other = int(np.random.randint(len(self) - 1))
        return other + 1 if other >= idx else other

    def add_false_video(self, data: Optional[dict],
                        idx: int) -> Optional[dict]:
        """Add ``inputs['false_imgs']`` to the packed sample ``idx``.

        A false video that fails to load is skipped (and counted) like any
        sample, and another one is drawn, at most ``max_refetch`` times.

        Args:
            data (dict | None): The packed sample (``None``: failed).
            idx (int): Its index.

        Returns:
            dict | None: ``data`` (with ``false_imgs`` if
            ``num_false_videos``).
        """
        if data is None or not self.num_false_videos:
            return data
        for _ in range(self.max_refetch + 1):
            false = self._load(self._rand_other(idx))
            if false is not None:
                break
        else:
            raise RuntimeError(f'{type(self).__name__}: no loadable false '
                               f'video after {self.max_refetch} tries')
        data['inputs']['false_imgs'] = false['inputs']['imgs']
        return data
