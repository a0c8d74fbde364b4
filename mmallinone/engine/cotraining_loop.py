"""Iteration-based image-video co-training loop (All-in-One+).

Every iteration takes **one batch of every source** (e.g. a video batch and
an image batch) and makes one training step on their summed losses, as the
authors do (``CombinedLoader(mode='min_size')`` + ``training_step``). Unlike mmaction2's ``MultiLoaderEpochBasedTrainLoop`` (which stops at
the shorter loader, makes one optimizer step per loader and does not
checkpoint the other loaders' positions), each loader here is cycled
independently and endlessly, and the position of every loader (samples of
this rank consumed so far) is saved in the checkpoint and restored on
resume by index, without reading any trained sample again.
"""
import logging
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple, Union

from mmengine.logging import print_log
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch import nn
from torch.utils.data import BatchSampler, DataLoader

from mmallinone.datasets.samplers import ResumableInfiniteSampler
from mmallinone.registry import LOOPS
from .loops import ResumableIterBasedTrainLoop

__all__ = ['CoTrainingIterBasedTrainLoop']

#: Message-hub key (saved in checkpoints) of the loaders' positions.
POSITIONS_KEY = 'cotraining_positions'


@LOOPS.register_module()
class CoTrainingIterBasedTrainLoop(ResumableIterBasedTrainLoop):
    """Train on one batch of every data source per iteration.

    The runner's ``train_dataloader`` is the source ``main_source``
    (``'video'``); ``other_loaders`` adds the others by name. Each iteration
    hands the model ``{source: batch}`` (see
    :class:`~mmallinone.models.MultiSourceDataPreprocessor` and the
    multi-source losses of :class:`~mmallinone.models.AllInOnePretrainer`,
    logged as ``video/loss_vtm``, ``image/loss_mlm``, ...). The mix is set
    by each loader's ``batch_size`` (samples per step) and the model's
    ``source_loss_weights``.

    **Positions.** After fetching, the loop records in the message hub
    (key ``'cotraining_positions'``, saved with every checkpoint) how many
    samples of this rank each source has consumed. On resume each
    :class:`~mmallinone.datasets.ResumableInfiniteSampler` is moved to its
    saved position by index (the batch size of a source may even differ
    from the interrupted run's); a checkpoint without positions falls back
    to ``iter * batch_size``. A loader whose sampler cannot skip by index
    falls back to fetching and discarding its trained batches (warned).

    ``iter`` counts micro-iterations (one batch per source each) as in
    MMEngine; gradient accumulation works as usual.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): Loader of ``main_source``.
        max_iters (int): Total iterations.
        other_loaders (dict): ``{source: DataLoader or dataloader config}``
            of the other sources (configs are built with the runner's seed).
        main_source (str): Name of the runner's loader. Defaults to
            ``'video'``.
        val_begin (int): See :class:`mmengine.runner.IterBasedTrainLoop`.
        val_interval (int): Ditto. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): Ditto.

    Example:
        >>> train_dataloader = dict(batch_size=32, dataset=webvid,
        ...     sampler=dict(type='ResumableInfiniteSampler'), ...)
        >>> train_cfg = dict(
        ...     type='CoTrainingIterBasedTrainLoop', max_iters=200_000,
        ...     other_loaders=dict(image=dict(batch_size=32, dataset=cc3m,
        ...         sampler=dict(type='ResumableInfiniteSampler'), ...)))
    """

    def __init__(
            self,
            runner,
            dataloader: Union[DataLoader, Dict],
            max_iters: int,
            other_loaders: Dict[str, Union[DataLoader, Dict]],
            main_source: str = 'video',
            val_begin: int = 1,
            val_interval: int = 1000,
            dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        super().__init__(
            runner,
            dataloader,
            max_iters,
            val_begin=val_begin,
            val_interval=val_interval,
            dynamic_intervals=dynamic_intervals)
        if not isinstance(other_loaders, dict) or not other_loaders:
            raise ValueError('other_loaders must be a non-empty dict '
                             '{source name: dataloader (config)}, got '
                             f'{other_loaders!r:.80}')
        if main_source in other_loaders:
            raise ValueError(f'main_source {main_source!r} is also a key of '
                             'other_loaders: source names must be unique')
        self.main_source = main_source
        self._check_data_preprocessor(runner)
        diff_rank_seed = runner._randomness_cfg.get('diff_rank_seed', False)
        self.loaders: 'OrderedDict[str, DataLoader]' = OrderedDict()
        self.loaders[main_source] = self.dataloader
        for name, loader in other_loaders.items():
            if isinstance(loader, dict):
                loader = runner.build_dataloader(
                    loader, seed=runner.seed, diff_rank_seed=diff_rank_seed)
            self.loaders[name] = loader
        # the parent's iterator serves the main source
        self.iterators: Dict[str, _InfiniteDataloaderIterator] = OrderedDict(
            (name, self.dataloader_iterator if name ==
             main_source else _InfiniteDataloaderIterator(loader))
            for name, loader in self.loaders.items())
        #: Samples of this rank consumed per source (saved in checkpoints).
        self.positions: Dict[str, int] = {name: 0 for name in self.loaders}

    # ----------------------------------------------------------- helpers
    @staticmethod
    def _check_data_preprocessor(runner) -> None:
        """Fail early if the model's preprocessor takes one source only."""
        from mmallinone.models.data_preprocessors import (
            MultiSourceDataPreprocessor, VideoTextDataPreprocessor)
        model = getattr(runner.model, 'module', runner.model)
        pre = getattr(model, 'data_preprocessor', None)
        if isinstance(pre, VideoTextDataPreprocessor) and \
                not isinstance(pre, MultiSourceDataPreprocessor):
            raise TypeError(
                'CoTrainingIterBasedTrainLoop hands the model {source: '
                'batch}; VideoTextDataPreprocessor takes one batch: set '
                "model.data_preprocessor.type='MultiSourceDataPreprocessor'")

    @staticmethod
    def _batch_size(loader: DataLoader) -> Optional[int]:
        batch_sampler = getattr(loader, 'batch_sampler', None)
        return getattr(batch_sampler, 'batch_size', None)

    @staticmethod
    def _num_samples(batch, fallback: Optional[int]) -> int:
        """Samples in a collated batch (``data_samples`` or ``inputs``)."""
        if isinstance(batch, dict):
            for key in ('data_samples', 'inputs'):
                value = batch.get(key)
                if isinstance(value, (list, tuple)):
                    return len(value)
        if fallback is None:
            raise ValueError('Cannot count the samples of a batch: use a '
                             'fixed batch_size or pseudo_collate')
        return fallback

    @staticmethod
    def _sampler_of(loader: DataLoader) -> Optional[ResumableInfiniteSampler]:
        batch_sampler = getattr(loader, 'batch_sampler', None)
        if type(batch_sampler) is not BatchSampler:
            return None
        sampler = batch_sampler.sampler
        return sampler if isinstance(sampler,
                                     ResumableInfiniteSampler) else None

    def _record_positions(self) -> None:
        self.runner.message_hub.update_info(POSITIONS_KEY,
                                            dict(self.positions))

    def _log_sources(self) -> None:
        parts = []
        for name, loader in self.loaders.items():
            dataset = loader.dataset
            parts.append(
                f'{name}: {type(dataset).__name__} ({len(dataset)} samples, '
                f'batch {self._batch_size(loader)}, from sample '
                f'{self.positions[name]})')
        print_log(
            f'{type(self).__name__}: one batch of each source per '
            'iteration, losses summed: ' + '; '.join(parts),
            logger='current',
            level=logging.INFO)

    def _restore_positions(self) -> None:
        """Move every loader to its saved position (resume)."""
        saved = self.runner.message_hub.get_info(POSITIONS_KEY)
        for name, loader in self.loaders.items():
            batch_size = self._batch_size(loader)
            if saved is not None and name in saved:
                position = int(saved[name])
            else:
                if batch_size is None:
                    raise RuntimeError(
                        f'Cannot resume source {name!r}: the checkpoint has '
                        'no saved position and its loader has no fixed '
                        'batch size')
                position = self._iter * batch_size
                print_log(
                    f'No saved position of source {name!r} in the '
                    f'checkpoint: assuming {self._iter} iterations x batch '
                    f'size {batch_size} = {position} samples.',
                    logger='current',
                    level=logging.WARNING)
            sampler = self._sampler_of(loader)
            if sampler is not None:
                sampler.skip(position)
                iterator = _InfiniteDataloaderIterator(loader)
                how = 'by index, without loading them'
            else:
                if batch_size is None or position % batch_size:
                    raise RuntimeError(
                        f'Cannot resume source {name!r} at sample '
                        f'{position}: its sampler '
                        f'({type(loader.sampler).__name__}) cannot skip by '
                        'index and the position is not a whole number of '
                        'batches; use ResumableInfiniteSampler')
                iterator = self.iterators[name]
                for _ in range(position // batch_size):
                    next(iterator)
                how = ('by loading and discarding them '
                       f'({type(loader.sampler).__name__} cannot skip by '
                       'index: use ResumableInfiniteSampler)')
            self.iterators[name] = iterator
            if name == self.main_source:
                self.dataloader_iterator = iterator
            self.positions[name] = position
            print_log(
                f'Resuming source {name!r} at iteration {self._iter}: '
                f'skipped its first {position} samples of rank '
                f'{getattr(sampler, "rank", 0)} {how}.',
                logger='current',
                level=logging.INFO if sampler is not None else logging.WARNING)

    # ----------------------------------------------------------- training
    def next_batch(self) -> Dict[str, dict]:
        """One batch of every source, ``{source: batch}``; updates and
        records the positions."""
        batch = OrderedDict()
        for name, iterator in self.iterators.items():
            data = next(iterator)
            self.positions[name] += self._num_samples(
                data, self._batch_size(self.loaders[name]))
            batch[name] = data
        self._record_positions()
        return batch

    def run(self) -> nn.Module:
        """Launch (or resume) co-training.

        Returns:
            nn.Module: The trained model.
        """
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        if self._iter > 0:
            self._restore_positions()
        self._record_positions()
        self._log_sources()
        while self._iter < self._max_iters and not self.stop_training:
            self._train_one_iter()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
