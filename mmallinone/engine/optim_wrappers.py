"""Optimizer wrappers that refuse to step on a non-finite loss."""
import logging
from typing import Dict, List, Optional

import torch
import torch.distributed as torch_dist
from mmengine.logging import print_log
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from mmallinone.registry import OPTIM_WRAPPERS

__all__ = [
    'FiniteLossCheckMixin', 'FiniteCheckOptimWrapper',
    'FiniteCheckAmpOptimWrapper', 'NON_FINITE_ACTIONS'
]

NON_FINITE_ACTIONS = ('skip', 'stop')


def _all_ranks_finite(finite: bool) -> bool:
    """Whether the loss is finite on every rank.

    With DDP all ranks must take the same decision, otherwise the ranks that
    call ``backward`` wait forever for the gradients of the others.
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()
            and torch_dist.get_world_size() > 1):
        return finite
    flag = torch.tensor([int(finite)])
    if torch_dist.get_backend() == 'nccl':
        flag = flag.cuda()
    torch_dist.all_reduce(flag, op=torch_dist.ReduceOp.MIN)
    return bool(flag.item())


class FiniteLossCheckMixin:
    """Check the loss with ``torch.isfinite`` before ``backward``.

    On a non-finite loss (NaN or inf, on any rank) an error is logged with
    the iteration and the sample ids of the batch (recorded by
    :class:`mmallinone.engine.NonFiniteLossHook` through
    :meth:`set_batch_info`), then, by ``nonfinite_action``:

    * ``'skip'``: no ``backward``, no ``step``; the gradients accumulated so
      far are zeroed (with ``accumulative_counts > 1`` the rest of the
      accumulation window still steps). The weights and the optimizer state
      are unchanged by this batch. ``skipped_steps`` counts the skips.
    * ``'stop'``: raise ``RuntimeError`` naming the iteration and the ids.

    Args:
        nonfinite_action (str): ``'skip'`` or ``'stop'``. Defaults to
            ``'stop'``. :class:`NonFiniteLossHook` overrides it.
        *args, **kwargs: Arguments of the wrapped ``OptimWrapper`` class.
    """

    def __init__(self,
                 *args,
                 nonfinite_action: str = 'stop',
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.nonfinite_action = nonfinite_action
        self.skipped_steps = 0
        self._batch_iter: Optional[int] = None
        self._batch_ids: List[str] = []

    @property
    def nonfinite_action(self) -> str:
        return self._nonfinite_action

    @nonfinite_action.setter
    def nonfinite_action(self, action: str) -> None:
        if action not in NON_FINITE_ACTIONS:
            raise ValueError(f'nonfinite_action must be one of '
                             f'{NON_FINITE_ACTIONS}, got {action!r}')
        self._nonfinite_action = action

    def set_batch_info(self, iteration: Optional[int],
                       sample_ids: List[str]) -> None:
        """Record the iteration and sample ids of the coming batch.

        Args:
            iteration (int, optional): 0-based training iteration.
            sample_ids (list[str]): Ids of the batch's samples.
        """
        self._batch_iter = iteration
        self._batch_ids = list(sample_ids)

    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        """``OptimWrapper.update_params`` after a finiteness check.

        Args:
            loss (torch.Tensor): Scalar loss to back-propagate.
            step_kwargs (dict, optional): Arguments for ``step``.
            zero_kwargs (dict, optional): Arguments for ``zero_grad``.
        """
        finite = bool(torch.isfinite(loss.detach()).all())
        if _all_ranks_finite(finite):
            super().update_params(loss, step_kwargs, zero_kwargs)
            return
        where = (f'iteration {self._batch_iter}'
                 if self._batch_iter is not None else 'an unknown iteration')
        ids = ', '.join(self._batch_ids) if self._batch_ids else 'unknown'
        if finite:
            value = 'finite here, non-finite on another rank'
        else:
            value = loss.detach().float().cpu().tolist()
        message = (f'Non-finite loss ({value}) at {where}; batch sample ids: '
                   f'[{ids}]')
        if self.nonfinite_action == 'stop':
            raise RuntimeError(
                message + '. Training stopped (NonFiniteLossHook '
                "action='stop'; use action='skip' to skip such steps).")
        self.skipped_steps += 1
        print_log(
            f'{message}. Step skipped (no backward/update; '
            f'{self.skipped_steps} skipped so far).',
            logger='current',
            level=logging.ERROR)
        # What `backward` would count, so accumulation windows stay aligned.
        self._inner_count += 1
        self.zero_grad(**(zero_kwargs or {}))


@OPTIM_WRAPPERS.register_module()
class FiniteCheckOptimWrapper(FiniteLossCheckMixin, OptimWrapper):
    """``OptimWrapper`` with :class:`FiniteLossCheckMixin`."""


@OPTIM_WRAPPERS.register_module()
class FiniteCheckAmpOptimWrapper(FiniteLossCheckMixin, AmpOptimWrapper):
    """``AmpOptimWrapper`` with :class:`FiniteLossCheckMixin`.

    The loss is checked before it is scaled; the ``GradScaler``'s own inf
    check on the gradients still applies to finite losses.
    """
