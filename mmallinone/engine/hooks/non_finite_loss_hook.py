"""Detect non-finite losses, report the batch, skip the step or stop."""
from typing import List, Optional

from mmengine.hooks import Hook
from mmengine.optim import OptimWrapperDict

from mmallinone.registry import HOOKS
from ..optim_wrappers import NON_FINITE_ACTIONS, FiniteLossCheckMixin

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
    """Skip or stop on a non-finite training loss (config switch).

    A hook alone cannot undo an optimizer step (``after_train_iter`` runs
    after it), so the check lives in the optimizer wrapper:
    ``optim_wrapper.type`` must be ``FiniteCheckOptimWrapper`` or
    ``FiniteCheckAmpOptimWrapper`` (see
    :class:`mmallinone.engine.FiniteLossCheckMixin`). This hook sets their
    action and, before every iteration, hands them the iteration and the
    batch's sample ids (``sample_idx:video_id`` of each data sample) so that
    the error names them. After training it logs how many steps were skipped.

    Args:
        action (str): ``'skip'`` (log an error, drop the step and go on) or
            ``'stop'`` (raise ``RuntimeError``). Defaults to ``'skip'``.

    Example:
        >>> optim_wrapper = dict(type='FiniteCheckOptimWrapper',
        ...                      optimizer=dict(type='AdamW', lr=1e-4))
        >>> custom_hooks = [dict(type='NonFiniteLossHook', action='skip')]
    """

    priority = 'VERY_HIGH'

    def __init__(self, action: str = 'skip') -> None:
        if action not in NON_FINITE_ACTIONS:
            raise ValueError(f'NonFiniteLossHook action must be one of '
                             f'{NON_FINITE_ACTIONS}, got {action!r}')
        self.action = action

    @staticmethod
    def _wrappers(runner) -> list:
        optim_wrapper = runner.optim_wrapper
        if isinstance(optim_wrapper, OptimWrapperDict):
            return list(optim_wrapper.values())
        return [optim_wrapper]

    def before_train(self, runner) -> None:
        """Check the optimizer wrapper type and set its action."""
        for wrapper in self._wrappers(runner):
            if not isinstance(wrapper, FiniteLossCheckMixin):
                raise TypeError(
                    'NonFiniteLossHook needs optim_wrapper.type '
                    "'FiniteCheckOptimWrapper' or 'FiniteCheckAmpOptimWrapper'"
                    f', got {type(wrapper).__name__}.')
            wrapper.nonfinite_action = self.action

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Hand the iteration and sample ids to the optimizer wrapper."""
        ids = batch_sample_ids(data_batch)
        for wrapper in self._wrappers(runner):
            wrapper.set_batch_info(runner.iter, ids)

    def after_train(self, runner) -> None:
        """Log the number of skipped steps."""
        skipped = sum(w.skipped_steps for w in self._wrappers(runner))
        if skipped:
            runner.logger.warning(
                f'{skipped} training step(s) were skipped because of a '
                'non-finite loss (see the errors above for their batches).')
