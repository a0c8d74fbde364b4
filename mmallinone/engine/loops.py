"""Training loops.

Upstream cause (dependency trap 8): MMEngine 0.10.7's
:meth:`mmengine.runner.IterBasedTrainLoop.run` resumes by calling
``next(self.dataloader_iterator)`` once per iteration already trained, i.e.
it reads (for videos: decodes) every batch of the interrupted run again and
throws it away. For web-scale video pre-training (hundreds of thousands of
micro-iterations) that is millions of videos before the first new step.
:class:`ResumableIterBasedTrainLoop` moves the sampler instead.
"""
import logging
from typing import Optional

from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch import nn
from torch.utils.data import BatchSampler

from mmallinone.datasets.samplers import ResumableInfiniteSampler
from mmallinone.registry import LOOPS

__all__ = ['ResumableIterBasedTrainLoop']


@LOOPS.register_module()
class ResumableIterBasedTrainLoop(IterBasedTrainLoop):
    """Iteration-based training loop that resumes without reading old data.

    Same arguments and behaviour as :class:`mmengine.runner.IterBasedTrainLoop`
    except on resume (``self.iter > 0`` when :meth:`run` starts). If the
    dataloader draws fixed-size batches (a plain
    :class:`torch.utils.data.BatchSampler`) from a
    :class:`~mmallinone.datasets.ResumableInfiniteSampler`, the loop tells the
    sampler to skip the ``iter * batch_size`` indices this rank has already
    trained on and re-creates the dataloader iterator, so no skipped sample
    is loaded. With any other sampler it warns and falls back to MMEngine's
    skip-by-fetching.

    ``iter`` counts micro-iterations (one batch each), as in MMEngine, so
    gradient accumulation (``accumulative_counts`` of the optim wrapper)
    needs nothing special: the optim wrapper's counters are restored from
    ``iter`` by the runner.

    Note:
        The resumed stream equals the uninterrupted one only if the seed,
        world size and per-rank batch size are the same as in the
        interrupted run. The iterator that MMEngine's ``__init__`` creates
        (before the checkpoint is loaded) may already have prefetched up to
        ``num_workers * prefetch_factor`` batches from the start of the
        stream; they are discarded, a constant cost independent of ``iter``.

    Example:
        >>> train_dataloader = dict(
        ...     batch_size=8,
        ...     sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
        ...     dataset=...)
        >>> train_cfg = dict(
        ...     type='ResumableIterBasedTrainLoop', max_iters=200_000)
    """

    def _resumable_sampler(self) -> Optional[ResumableInfiniteSampler]:
        """The sampler to skip by index, or None if skipping is impossible.

        Returns:
            ResumableInfiniteSampler | None: The sampler feeding a plain
            fixed-size ``BatchSampler``, else None.
        """
        batch_sampler = getattr(self.dataloader, 'batch_sampler', None)
        if type(batch_sampler) is not BatchSampler:
            return None  # custom batching: samples per iter not fixed
        sampler = batch_sampler.sampler
        if isinstance(sampler, ResumableInfiniteSampler):
            return sampler
        return None

    def _skip_trained_samples(self, sampler: ResumableInfiniteSampler) -> None:
        """Move ``sampler`` past the trained samples; rebuild the iterator.

        Args:
            sampler (ResumableInfiniteSampler): The dataloader's sampler.
        """
        batch_size = self.dataloader.batch_sampler.batch_size
        num_samples = self._iter * batch_size
        sampler.skip(num_samples)
        # Drop the old iterator (and its workers / prefetched batches): it
        # may already have drawn indices from the start of the stream.
        self.dataloader_iterator = None
        self.dataloader_iterator = _InfiniteDataloaderIterator(self.dataloader)
        print_log(
            f'Resuming at iteration {self._iter}: skipped the first '
            f'{num_samples} samples ({self._iter} iterations x batch size '
            f'{batch_size}) of rank {sampler.rank}\'s index stream of '
            f'{type(sampler).__name__} without loading them.',
            logger='current',
            level=logging.INFO)

    def next_batch(self):
        """The next training batch (subclasses may combine several loaders)."""
        return next(self.dataloader_iterator)

    def _train_one_iter(self) -> None:
        """Train on the next batch, then validate if it is time to."""
        self.runner.model.train()
        self.run_iter(self.next_batch())
        self._decide_current_val_interval()
        val_due = (
            self._iter % self.val_interval == 0
            or self._iter == self._max_iters)
        if (self.runner.val_loop is not None and self._iter >= self.val_begin
                and val_due):
            self.runner.val_loop.run()

    def run(self) -> nn.Module:
        """Launch (or resume) training.

        Returns:
            nn.Module: The trained model, as MMEngine's loop returns it.
        """
        sampler = self._resumable_sampler()
        if self._iter > 0 and sampler is None:
            used = getattr(
                getattr(self.dataloader, 'batch_sampler', None), 'sampler',
                None)
            print_log(
                f'{type(self).__name__} cannot skip by index with '
                f'{type(used).__name__} (needs ResumableInfiniteSampler and '
                'a plain BatchSampler): falling back to MMEngine, which '
                f'loads and discards the {self._iter} trained batches.',
                logger='current',
                level=logging.WARNING)
            return super().run()

        self.runner.call_hook('before_train')
        # The whole iteration-based run is one big epoch, as in MMEngine.
        self.runner.call_hook('before_train_epoch')
        if self._iter > 0:
            self._skip_trained_samples(sampler)
        while self._iter < self._max_iters and not self.stop_training:
            self._train_one_iter()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
