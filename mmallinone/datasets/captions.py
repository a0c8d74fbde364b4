"""Caption choice: which of a sample's captions one access uses."""
import numpy as np

#: ``test_caption`` values: the first caption or the centre one.
TEST_CAPTIONS = ('first', 'centre')


class CaptionChoiceMixin:
    """Pick one caption per access: at random in training, by
    ``test_caption`` in test mode.

    The host class provides ``test_mode`` and calls
    :meth:`_init_caption_choice` in its ``__init__``.
    """

    def _init_caption_choice(self, test_caption: str) -> None:
        """Check and store ``test_caption``."""
        if test_caption not in TEST_CAPTIONS:
            raise ValueError("test_caption must be 'first' or 'centre', got "
                             f'{test_caption!r}')
        self.test_caption = test_caption

    def _choose(self, n: int) -> int:
        """Index of the caption used for this access (of ``n``)."""
        if not self.test_mode:
            return int(np.random.randint(n))
        return 0 if self.test_caption == 'first' else (n - 1) // 2

    def select_caption(self, info: dict) -> dict:
        """Pick ``text`` (and ``clip_window``) from ``captions``.

        Args:
            info (dict): A data info with ``captions`` (list of N str) and
                optional ``clip_windows`` (N (start, end) pairs, seconds).

        Returns:
            dict: ``info`` with ``text``, ``caption_idx`` and, if windows are
            given, ``clip_window``; ``captions``/``clip_windows`` removed.
        """
        captions = info.pop('captions', None)
        windows = info.pop('clip_windows', None)
        if captions is None:
            return info
        i = self._choose(len(captions))
        info['text'] = captions[i]
        info['caption_idx'] = i
        if windows is not None:
            info['clip_window'] = tuple(windows[i])
        return info
