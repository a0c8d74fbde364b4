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
    'FiniteCheckAmpOptimWrapper', 'NON_FINITE_ACTIONS', 'add_finite_check',
    'all_ranks_finite'
]

NON_FINITE_ACTIONS = ('skip', 'stop')


def all_ranks_finite(finite: bool) -> bool:
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
      More than ``max_consecutive_skips`` skips in a row raise
      ``RuntimeError`` (a diverged run does not recover by skipping).
    * ``'stop'``: raise ``RuntimeError`` naming the iteration and the ids.

    The iteration in the messages is 1-based, as in the log lines
    (``Iter(train) [N/max_iters]``).

    Args:
        nonfinite_action (str): ``'skip'`` or ``'stop'``. Defaults to
            ``'stop'``. :class:`NonFiniteLossHook` overrides it.
        max_consecutive_skips (int, optional): Most skips in a row before
            the run stops; None for no limit. Defaults to None.
            :class:`NonFiniteLossHook` overrides it.
        *args, **kwargs: Arguments of the wrapped ``OptimWrapper`` class.
    """

    def __init__(self,
                 *args,
                 nonfinite_action: str = 'stop',
                 max_consecutive_skips: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._init_finite_check(nonfinite_action, max_consecutive_skips)

    def _init_finite_check(self, nonfinite_action: str,
                           max_consecutive_skips: Optional[int]) -> None:
        """Set the check's options and counters."""
        self.nonfinite_action = nonfinite_action
        self.max_consecutive_skips = max_consecutive_skips
        self.skipped_steps = 0
        self.consecutive_skips = 0
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
            iteration (int, optional): 1-based training iteration (as
                logged).
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
        if all_ranks_finite(finite):
            self.consecutive_skips = 0
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
        self.consecutive_skips += 1
        limit = self.max_consecutive_skips
        if limit is not None and self.consecutive_skips > limit:
            raise RuntimeError(
                f'{message}. Training stopped: {self.consecutive_skips} '
                'consecutive non-finite losses, more than '
                f'max_consecutive_skips={limit} (NonFiniteLossHook); the run '
                'has diverged (lower the learning rate or check the data).')
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


_GUARDED_CLASSES: Dict[type, type] = {}


def add_finite_check(wrapper: OptimWrapper,
                     nonfinite_action: str = 'stop',
                     max_consecutive_skips: Optional[int] = None
                     ) -> FiniteLossCheckMixin:
    """Give a built ``OptimWrapper`` the finiteness check, in place.

    The instance's class becomes a subclass of :class:`FiniteLossCheckMixin`
    and its own class (``OptimWrapper`` -> ``FiniteCheckOptimWrapper``-like),
    so that configs with any ``OptimWrapper`` subclass (``AmpOptimWrapper``,
    FSDP's ``use_fsdp=True`` ...) are guarded by
    :class:`~mmallinone.engine.NonFiniteLossHook` without changing their
    ``optim_wrapper.type``.

    Args:
        wrapper (OptimWrapper): The wrapper; returned as is if it already
            has the check.
        nonfinite_action (str): ``'skip'`` or ``'stop'``.
        max_consecutive_skips (int, optional): See the mixin.

    Returns:
        FiniteLossCheckMixin: ``wrapper``.
    """
    if isinstance(wrapper, FiniteLossCheckMixin):
        return wrapper
    if not isinstance(wrapper, OptimWrapper):
        raise TypeError('add_finite_check needs an OptimWrapper, got '
                        f'{type(wrapper).__name__}')
    cls = type(wrapper)
    guarded = _GUARDED_CLASSES.get(cls)
    if guarded is None:
        guarded = type(f'FiniteCheck{cls.__name__}',
                       (FiniteLossCheckMixin, cls),
                       dict(__module__=__name__, __doc__=cls.__doc__))
        _GUARDED_CLASSES[cls] = guarded
    wrapper.__class__ = guarded
    wrapper._init_finite_check(nonfinite_action, max_consecutive_skips)
    return wrapper
