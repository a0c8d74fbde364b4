"""An infinite sampler that can skip already-trained samples by index.

Upstream cause (README's dependency trap 8): MMEngine 0.10.7's
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

import numpy as np
import torch
from mmengine.dataset import InfiniteSampler

from mmallinone.registry import DATA_SAMPLERS

__all__ = ['ResumableInfiniteSampler', 'SampleIndex']


class SampleIndex(int):
    """A dataset index that knows its place in the sample stream.

    Equal to (and usable as) the plain ``int`` index. ``position`` is the
    sample's 0-based position in the global (all-rank) stream of
    :class:`ResumableInfiniteSampler` and ``sample_seed`` a 32-bit seed
    derived from the sampler's seed and that position only, so it is the
    same whichever dataloader worker, rank, batch size or world size loads
    the sample, and in a resumed run.
    :class:`~mmallinone.datasets.BaseVideoTextDataset` seeds ``random``,
    ``numpy`` and ``torch`` with it while it loads the sample (augmentation,
    caption choice, MLM masking, false videos).
    """

    def __new__(cls, index: int, position: int, seed: int) -> 'SampleIndex':
        obj = super().__new__(cls, index)
        obj.position = int(position)
        obj.seed = int(seed)
        return obj

    def __reduce__(self):
        return SampleIndex, (int(self), self.position, self.seed)

    @property
    def sample_seed(self) -> int:
        """``SeedSequence((seed, position))``'s first 32-bit word."""
        return int(np.random.SeedSequence(
            [self.seed & 0xFFFFFFFF, self.position]).generate_state(1)[0])


@DATA_SAMPLERS.register_module()
class ResumableInfiniteSampler(InfiniteSampler):
    """:class:`~mmengine.dataset.InfiniteSampler` with an index-only skip.

    The stream is the same as the parent's for the same ``seed``,
    ``shuffle``, rank and world size: an endless concatenation of
    permutations of ``range(len(dataset))`` drawn from one generator seeded
    with ``seed`` (or of ``range(len(dataset))`` itself if not shuffled),
    of which rank ``r`` of ``W`` takes the elements ``r, r + W, r + 2W, ...``.

    :meth:`skip` restarts this rank's stream at its ``num_samples``-th
    element; :meth:`skip_global` after the first ``num_samples`` elements of
    the global stream (the samples all ranks consumed together, which stays
    right when the batch size or the world size changed between runs).
    Whole epochs are skipped by advancing the generator with
    :func:`torch.randperm` (no Python-level iteration over them) and the
    dataset is never touched, so the cost does not depend on how long the
    skipped part took to load.

    With ``seed_samples=True`` the indices are :class:`SampleIndex`
    objects carrying their global position, from which the dataset derives
    a per-sample seed (reproducible augmentation, also after a resume).

    Args:
        dataset (Sized): The dataset. Only ``len(dataset)`` is used.
        shuffle (bool): Whether to shuffle the indices. Defaults to True.
        seed (int, optional): Random seed, identical on every rank. If None,
            a seed is drawn and synchronised across ranks. Defaults to None.
        seed_samples (bool): Yield :class:`SampleIndex` objects. Defaults
            to True.

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
                 seed: Optional[int] = None,
                 seed_samples: bool = True) -> None:
        super().__init__(dataset, shuffle=shuffle, seed=seed)
        self.seed_samples = seed_samples
        #: Position (in samples of this rank) the current stream started at.
        self.num_skipped = 0
        #: Global position of the next index this rank yields.
        self._position = self.rank

    def __iter__(self) -> Iterator[int]:
        """This rank's indices (:class:`SampleIndex` with ``seed_samples``)."""
        for index in self.indices:
            position = self._position
            self._position += self.world_size
            yield SampleIndex(index, position, self.seed) \
                if self.seed_samples else index

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
        self._restart(self.rank + num_samples * self.world_size)
        self.num_skipped = num_samples

    def skip_global(self, num_samples: int) -> None:
        """Restart after the first ``num_samples`` of the global stream.

        The ranks of a run consume the global stream in blocks of
        ``world_size * batch_size`` consecutive elements, so after any number
        of whole iterations the consumed samples are a prefix of it. Rank
        ``r`` continues with global element ``num_samples + r``, then every
        ``world_size``-th; this is exact even if the interrupted run had
        another batch size or world size.

        Args:
            num_samples (int): Samples all ranks consumed together.
        """
        num_samples = int(num_samples)
        if num_samples < 0:
            raise ValueError(f'num_samples must be >= 0, got {num_samples}')
        self._restart(num_samples + self.rank)
        self.num_skipped = num_samples // self.world_size

    def _restart(self, start: int) -> None:
        """Make this rank's stream start at global element ``start``."""
        self.indices = itertools.islice(
            self._global_indices_from(start), 0, None, self.world_size)
        self._position = start
