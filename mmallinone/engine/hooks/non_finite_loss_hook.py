"""Detect non-finite losses, report the batch, skip the step or stop."""
import logging
import math
from typing import List, Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmallinone.registry import HOOKS
from ..optim_wrappers import (NON_FINITE_ACTIONS, FiniteLossCheckMixin,
                              add_finite_check)

__all__ = ['NonFiniteLossHook', 'batch_sample_ids']


def batch_sample_ids(data_batch) -> List[str]:
    """Ids of the samples of a collated batch.

    Read from each data sample's metainfo: ``sample_idx`` and ``video_id``
    (``'3:video_7'``), or whichever of them is present; a dict batch with a
    ``sample_idx``/``idx`` list is accepted too, and so is a multi-source
    (co-training) batch ``{source: batch}`` (ids ``'image/3:cc3m_3'``).

    Args:
        data_batch (dict | None): The batch given to ``train_step``.

    Returns:
        list[str]: One id per sample (empty when none can be found).
    """
    if not isinstance(data_batch, dict):
        return []
    if data_batch and 'inputs' not in data_batch and all(
            isinstance(v, dict) and 'inputs' in v
            for v in data_batch.values()):
        # multi-source (co-training) batch {source: batch}
        return [
            f'{source}/{i}' for source, batch in data_batch.items()
            for i in batch_sample_ids(batch)
        ]
    ids = []
    for sample in data_batch.get('data_samples') or []:
        meta = getattr(sample, 'metainfo', sample)
        if not isinstance(meta, dict):
            continue
        parts = [
            str(meta[key]) for key in ('sample_idx', 'video_id')
            if key in meta
        ]
        if parts:
            ids.append(':'.join(parts))
    if ids:
        return ids
    for key in ('sample_idx', 'idx'):
        if key in data_batch:
            values = data_batch[key]
            if hasattr(values, 'tolist'):
                values = values.tolist()
            return [str(v) for v in values]
    return []


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Skip or stop on a non-finite training loss (on by default).

    ``configs/_base_/default_runtime.py`` registers it as
    ``default_hooks.non_finite`` (``action='skip'``,
    ``max_consecutive_skips=5``); ``default_hooks = dict(non_finite=None)``
    turns it off.

    A hook alone cannot undo an optimizer step (``after_train_iter`` runs
    after it), so the check lives in the optimizer wrapper
    (:class:`mmallinone.engine.FiniteLossCheckMixin`): wrappers of type
    ``FiniteCheckOptimWrapper`` / ``FiniteCheckAmpOptimWrapper`` have it, and
    any other ``OptimWrapper`` subclass (``OptimWrapper``,
    ``AmpOptimWrapper`` ...) is given it in ``before_train``
    (:func:`~mmallinone.engine.add_finite_check`). This hook sets the action
    and, before every iteration, hands the wrappers the iteration (1-based,
    the number of the log line ``Iter(train) [N/...]``) and the batch's
    sample ids (``sample_idx:video_id`` of each data sample), so that the
    error names them. Wrappers that are not ``OptimWrapper`` subclasses
    (``DeepSpeedOptimWrapper``) cannot be guarded before the step: for them
    a non-finite logged loss stops the run after the step. After training it
    logs how many steps were skipped.

    Args:
        action (str): ``'skip'`` (log an error, drop the step and go on) or
            ``'stop'`` (raise ``RuntimeError``). Defaults to ``'skip'``.
        max_consecutive_skips (int, optional): With ``'skip'``, the most
            non-finite steps in a row that are skipped; one more raises
            ``RuntimeError`` (the run exits non-zero). None: no limit.
            Defaults to 5.

    Example:
        >>> default_hooks = dict(non_finite=dict(
        ...     type='NonFiniteLossHook', action='skip',
        ...     max_consecutive_skips=5))
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 action: str = 'skip',
                 max_consecutive_skips: Optional[int] = 5) -> None:
        if action not in NON_FINITE_ACTIONS:
            raise ValueError(f'NonFiniteLossHook action must be one of '
                             f'{NON_FINITE_ACTIONS}, got {action!r}')
        if max_consecutive_skips is not None and max_consecutive_skips < 0:
            raise ValueError('max_consecutive_skips must be >= 0 or None, '
                             f'got {max_consecutive_skips}')
        self.action = action
        self.max_consecutive_skips = max_consecutive_skips
        self._unguarded: List[str] = []

    @staticmethod
    def _wrappers(runner) -> list:
        optim_wrapper = runner.optim_wrapper
        if isinstance(optim_wrapper, OptimWrapperDict):
            return list(optim_wrapper.values())
        return [optim_wrapper]

    def before_train(self, runner) -> None:
        """Give the wrappers the check and set its action."""
        self._unguarded = []
        for wrapper in self._wrappers(runner):
            if not isinstance(wrapper, FiniteLossCheckMixin):
                if not isinstance(wrapper, OptimWrapper):
                    self._unguarded.append(type(wrapper).__name__)
                    continue
                add_finite_check(wrapper)
            wrapper.nonfinite_action = self.action
            wrapper.max_consecutive_skips = self.max_consecutive_skips
        if self._unguarded:
            print_log(
                f'NonFiniteLossHook cannot check the loss before the step of '
                f'{self._unguarded}: a non-finite loss stops the run after '
                'its step instead.',
                logger='current',
                level=logging.WARNING)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Hand the iteration and sample ids to the optimizer wrapper."""
        ids = batch_sample_ids(data_batch)
        for wrapper in self._wrappers(runner):
            if isinstance(wrapper, FiniteLossCheckMixin):
                wrapper.set_batch_info(runner.iter + 1, ids)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Stop on a non-finite loss of an unguarded wrapper."""
        if not self._unguarded or not isinstance(outputs, dict):
            return
        loss = outputs.get('loss')
        if isinstance(loss, torch.Tensor):
            loss = float(loss.detach().float().sum())
        if loss is not None and not math.isfinite(float(loss)):
            ids = ', '.join(batch_sample_ids(data_batch)) or 'unknown'
            raise RuntimeError(
                f'Non-finite loss ({loss}) at iteration {runner.iter + 1}; '
                f'batch sample ids: [{ids}]. Training stopped '
                f'({self._unguarded} cannot skip the step).')

    def after_train(self, runner) -> None:
        """Log the number of skipped steps."""
        skipped = sum(
            getattr(w, 'skipped_steps', 0) for w in self._wrappers(runner))
        if skipped:
            runner.logger.warning(
                f'{skipped} training step(s) were skipped because of a '
                'non-finite loss (see the errors above for their batches).')
