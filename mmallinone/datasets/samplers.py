"""An infinite sampler that can skip already-trained samples by index.

Upstream cause (dependency trap 8): MMEngine 0.10.7's
``IterBasedTrainLoop.run()`` resumes by *fetching* every batch that was
already trained (``next(self.dataloader_iterator)`` ``self._iter`` times), so
each of those videos is read and decoded again. For web-scale video
pre-training that means re-decoding millions of videos before the first new
step. :class:`ResumableInfiniteSampler` yields exactly the same index stream
as MMEngine's :class:`~mmengine.dataset.InfiniteSampler` and can be moved to
any position of it by touching indices only; the loop
:class:`~mmallinone.engine.ResumableIterBasedTrainLoop` uses it on resume.
"""
import itertools
from typing import Iterator, Optional, Sized

import torch
from mmengine.dataset import InfiniteSampler

from mmallinone.registry import DATA_SAMPLERS

__all__ = ['ResumableInfiniteSampler']


@DATA_SAMPLERS.register_module()
class ResumableInfiniteSampler(InfiniteSampler):
    """:class:`~mmengine.dataset.InfiniteSampler` with an index-only skip.

    The stream is the same as the parent's for the same ``seed``,
    ``shuffle``, rank and world size: an endless concatenation of
    permutations of ``range(len(dataset))`` drawn from one generator seeded
    with ``seed`` (or of ``range(len(dataset))`` itself if not shuffled),
    of which rank ``r`` of ``W`` takes the elements ``r, r + W, r + 2W, ...``.

    :meth:`skip` restarts this rank's stream at its ``num_samples``-th
    element. Whole epochs are skipped by advancing the generator with
    :func:`torch.randperm` (no Python-level iteration over them) and the
    dataset is never touched, so the cost does not depend on how long the
    skipped part took to load.

    Args:
        dataset (Sized): The dataset. Only ``len(dataset)`` is used.
        shuffle (bool): Whether to shuffle the indices. Defaults to True.
        seed (int, optional): Random seed, identical on every rank. If None,
            a seed is drawn and synchronised across ranks. Defaults to None.

    Example:
        >>> import itertools
        >>> sampler = ResumableInfiniteSampler(range(10), seed=0)
        >>> stream = list(itertools.islice(iter(sampler), 25))
        >>> sampler.skip(7)
        >>> list(itertools.islice(iter(sampler), 18)) == stream[7:]
        True
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        super().__init__(dataset, shuffle=shuffle, seed=seed)
        #: Position (in samples of this rank) the current stream started at.
        self.num_skipped = 0

    def _global_indices_from(self, start: int) -> Iterator[int]:
        """Yield the global (all-rank) index stream from position ``start``.

        Args:
            start (int): Position in the global stream, counting from 0.

        Yields:
            int: Dataset indices, identical to
            ``itertools.islice(self._infinite_indices(), start, None)``.
        """
        generator = torch.Generator()
        generator.manual_seed(self.seed)
        epochs, offset = divmod(start, self.size)
        if self.shuffle:
            # Each epoch consumes one permutation: draw and drop them to
            # bring the generator to the state of epoch ``epochs``.
            for _ in range(epochs):
                torch.randperm(self.size, generator=generator)
        while True:
            if self.shuffle:
                order = torch.randperm(self.size, generator=generator)
            else:
                order = torch.arange(self.size)
            yield from order[offset:].tolist()
            offset = 0

    def skip(self, num_samples: int) -> None:
        """Restart this rank's stream after its first ``num_samples`` indices.

        The position is absolute, not relative to what was already drawn:
        after ``skip(n)`` the next index produced by ``iter(self)`` is the
        ``n``-th (0-based) element of this rank's unskipped stream, whatever
        was consumed before (e.g. batches prefetched by dataloader workers).
        ``skip(0)`` rewinds to the beginning.

        Args:
            num_samples (int): Number of this rank's samples to skip, e.g.
                ``trained_iters * batch_size``.
        """
        num_samples = int(num_samples)
        if num_samples < 0:
            raise ValueError(f'num_samples must be >= 0, got {num_samples}')
        # Element k of rank r's stream is element r + k * W of the global one.
        start = self.rank + num_samples * self.world_size
        self.indices = itertools.islice(
            self._global_indices_from(start), 0, None, self.world_size)
        self.num_skipped = num_samples
