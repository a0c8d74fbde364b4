"""Training loops.

Upstream cause (README's dependency trap 8): MMEngine 0.10.7's
:meth:`mmengine.runner.IterBasedTrainLoop.run` resumes by calling
``next(self.dataloader_iterator)`` once per iteration already trained, i.e.
it reads (for videos: decodes) every batch of the interrupted run again and
throws it away. For web-scale video pre-training (hundreds of thousands of
micro-iterations) that is millions of videos before the first new step.
:class:`ResumableIterBasedTrainLoop` moves the sampler instead.
"""
import logging
from typing import Optional

from mmengine.dist import get_world_size
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch import nn
from torch.utils.data import BatchSampler

from mmallinone.datasets.samplers import ResumableInfiniteSampler
from mmallinone.registry import LOOPS

__all__ = ['ResumableIterBasedTrainLoop', 'CONSUMED_KEY']

#: Runtime-info key (saved in checkpoints): samples all ranks consumed, and
#: the per-rank batch size and world size that consumed them.
CONSUMED_KEY = 'train_samples_consumed'


@LOOPS.register_module()
class ResumableIterBasedTrainLoop(IterBasedTrainLoop):
    """Iteration-based training loop that resumes without reading old data.

    Same arguments and behaviour as :class:`mmengine.runner.IterBasedTrainLoop`
    except on resume (``self.iter > 0`` when :meth:`run` starts). If the
    dataloader draws fixed-size batches (a plain
    :class:`torch.utils.data.BatchSampler`) from a
    :class:`~mmallinone.datasets.ResumableInfiniteSampler`, the loop tells the
    sampler to skip the samples already trained on and re-creates the
    dataloader iterator, so no skipped sample is loaded. With any other
    sampler it warns and falls back to MMEngine's skip-by-fetching.

    The number of samples consumed by all ranks together is counted every
    iteration and saved in checkpoints (message hub runtime info
    ``train_samples_consumed``, with the batch size and world size). On
    resume exactly that many samples of the global stream are skipped
    (:meth:`ResumableInfiniteSampler.skip_global`), so a resume with another
    per-rank batch size or world size continues right after the trained
    samples; the change is logged. Checkpoints without the count (older
    ones) fall back to ``iter * batch_size * world_size``.

    ``iter`` counts micro-iterations (one batch each), as in MMEngine, so
    gradient accumulation (``accumulative_counts`` of the optim wrapper)
    needs nothing special: the optim wrapper's counters are restored from
    ``iter`` by the runner.

    Note:
        The resumed *batches* equal the uninterrupted ones only if the seed,
        world size and per-rank batch size are the same as in the
        interrupted run (otherwise the same samples follow, in other
        batches). The iterator that MMEngine's ``__init__`` creates
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

    _counts_samples = False
    _consumed = 0

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

    def _samples_per_iter(self) -> int:
        """Samples all ranks consume per iteration."""
        return self.dataloader.batch_sampler.batch_size * get_world_size()

    def _record_consumed(self, consumed: int) -> None:
        self._consumed = consumed
        self.runner.message_hub.update_info(
            CONSUMED_KEY,
            dict(samples=consumed,
                 batch_size=self.dataloader.batch_sampler.batch_size,
                 world_size=get_world_size()))

    def _how(self, batch_size: int, world_size: int) -> str:
        ranks = f' x {world_size} ranks' if world_size > 1 else ''
        return f'{self._iter} iterations x batch size {batch_size}{ranks}'

    def _skip_trained_samples(self, sampler: ResumableInfiniteSampler) -> None:
        """Move ``sampler`` past the trained samples; rebuild the iterator.

        Args:
            sampler (ResumableInfiniteSampler): The dataloader's sampler.
        """
        batch_size = self.dataloader.batch_sampler.batch_size
        world_size = get_world_size()
        saved = self.runner.message_hub.get_info(CONSUMED_KEY)
        if saved is None:
            consumed = self._iter * batch_size * world_size
            how = self._how(batch_size, world_size) + (
                '; the checkpoint has no sample count: batch size and world '
                'size assumed unchanged')
        else:
            consumed = int(saved['samples'])
            if consumed == self._iter * saved['batch_size'] * \
                    saved['world_size']:
                how = self._how(saved['batch_size'], saved['world_size'])
            else:  # the batch size changed more than once
                how = f'counted over {self._iter} iterations'
            changes = [
                f'{name} {saved[key]} -> {now}'
                for name, key, now in (('batch size per rank', 'batch_size',
                                        batch_size),
                                       ('world size', 'world_size',
                                        world_size)) if saved[key] != now
            ]
            if changes:
                print_log(
                    f'Resuming with a different {" and ".join(changes)}: '
                    f'the {consumed} samples trained on are skipped exactly '
                    'and training continues with the next ones, in batches '
                    f'of {batch_size} x {world_size}. The learning-rate '
                    'schedule still counts iterations (see auto_scale_lr).',
                    logger='current',
                    level=logging.WARNING)
        sampler.skip_global(consumed)
        self._record_consumed(consumed)
        # Drop the old iterator (and its workers / prefetched batches): it
        # may already have drawn indices from the start of the stream.
        self.dataloader_iterator = None
        self.dataloader_iterator = _InfiniteDataloaderIterator(self.dataloader)
        print_log(
            f'Resuming at iteration {self._iter}: skipped the first '
            f'{consumed} samples ({how}) of the global index stream of '
            f'{type(sampler).__name__} without loading them; rank '
            f'{sampler.rank} continues at its sample {sampler.num_skipped}.',
            logger='current',
            level=logging.INFO)

    def next_batch(self):
        """The next training batch (subclasses may combine several loaders);
        counts the samples consumed."""
        batch = next(self.dataloader_iterator)
        if self._counts_samples:
            self._record_consumed(self._consumed + self._samples_per_iter())
        return batch

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
        self._counts_samples = sampler is not None
        self._consumed = 0
        if self._iter > 0:
            self._skip_trained_samples(sampler)
        elif sampler is not None:
            self._record_consumed(0)
        while self._iter < self._max_iters and not self.stop_training:
            self._train_one_iter()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
