"""Total of skipped samples over dataloader workers and ranks."""
from typing import Dict, Iterator, List

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook

from mmallinone.registry import HOOKS

__all__ = ['DataSkipCountHook', 'training_datasets', 'SKIP_COUNTS_KEY']

#: Runtime-info key (saved in checkpoints with the message hub).
SKIP_COUNTS_KEY = 'data_skip_counts'
_KEYS = ('attempted', 'skipped', 'invalid_rows')


def _leaves(dataset) -> Iterator[object]:
    """The datasets inside MMEngine's dataset wrappers."""
    stack = [dataset]
    while stack:
        ds = stack.pop()
        if hasattr(ds, 'load_counts'):
            yield ds
        elif hasattr(ds, 'datasets'):  # ConcatDataset
            stack.extend(ds.datasets)
        elif hasattr(ds, 'dataset'):  # RepeatDataset, ClassBalanced...
            stack.append(ds.dataset)


def training_datasets(runner) -> List[object]:
    """Datasets with ``load_counts`` of the training loop's loaders (the
    extra sources of a co-training loop included)."""
    loop = runner.train_loop
    loaders = list(getattr(loop, 'loaders', {}).values()) or \
        [loop.dataloader]
    found, seen = [], set()
    for loader in loaders:
        for ds in _leaves(loader.dataset):
            if id(ds) not in seen:
                seen.add(id(ds))
                found.append(ds)
    return found


@HOOKS.register_module()
class DataSkipCountHook(Hook):
    """Add up skipped samples over workers and ranks; log and save them.

    Each :class:`~mmallinone.datasets.BaseVideoTextDataset` counts the
    samples its processes tried to load and skipped (broken, missing, too
    short videos) in a shared-memory table that the dataloader workers write
    to (:meth:`~mmallinone.datasets.BaseVideoTextDataset.load_counts`). After
    each training iteration this hook sums them over the ranks (one small
    ``all_reduce``; annotation rows dropped with ``skip_invalid_rows`` are
    the same on every rank and taken once) and stores the total in the
    message hub's runtime info ``data_skip_counts``, which checkpoints save
    and ``--resume`` restores (a resumed run continues the count). At the end
    of training it logs the total.

    Registered by ``configs/_base_/default_runtime.py`` as
    ``default_hooks.data_skips``.
    """

    priority = 'ABOVE_NORMAL'  # before the checkpoint hook saves

    def __init__(self) -> None:
        self._base = dict.fromkeys(_KEYS, 0)
        self._datasets: List[object] = []

    def before_train(self, runner) -> None:
        """Find the datasets; start from a resumed total."""
        saved = runner.message_hub.get_info(SKIP_COUNTS_KEY) or {}
        self._base = {k: int(saved.get(k, 0)) for k in _KEYS}
        self._datasets = training_datasets(runner)

    def totals(self) -> Dict[str, int]:
        """The counts of all workers and ranks (plus the resumed ones)."""
        local = dict.fromkeys(_KEYS, 0)
        for ds in self._datasets:
            for key, value in ds.load_counts().items():
                local[key] += value
        if get_world_size() > 1:
            summed = torch.tensor([local['attempted'], local['skipped']])
            all_reduce(summed, op='sum')
            rows = torch.tensor([local['invalid_rows']])
            all_reduce(rows, op='max')
            local.update(attempted=int(summed[0]), skipped=int(summed[1]),
                         invalid_rows=int(rows[0]))
        return dict(
            attempted=self._base['attempted'] + local['attempted'],
            skipped=self._base['skipped'] + local['skipped'],
            # parsed again (same rows) by a resumed run: not added up
            invalid_rows=max(self._base['invalid_rows'],
                             local['invalid_rows']))

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Store the current total (saved with the next checkpoint)."""
        runner.message_hub.update_info(SKIP_COUNTS_KEY, self.totals())

    def after_train(self, runner) -> None:
        """Log the total."""
        counts = self.totals()
        runner.message_hub.update_info(SKIP_COUNTS_KEY, counts)
        share = 100.0 * counts['skipped'] / max(counts['attempted'], 1)
        since = ', since the start of the run' if any(
            self._base.values()) else ''
        message = (f'Data: {counts["skipped"]} of {counts["attempted"]} '
                   f'sample loads skipped ({share:.2f} %), '
                   f'{counts["invalid_rows"]} invalid annotation rows '
                   f'dropped (all dataloader workers and ranks{since}).')
        if counts['skipped'] or counts['invalid_rows']:
            runner.logger.warning(message)
        else:
            runner.logger.info(message)
