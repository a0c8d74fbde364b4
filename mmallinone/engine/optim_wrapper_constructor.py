"""An optimizer wrapper constructor whose log a user can read."""
import logging
from collections import OrderedDict
from typing import Dict, Tuple

import torch.nn as nn
from mmengine.logging import MMLogger, print_log
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper

from mmallinone.registry import OPTIM_WRAPPER_CONSTRUCTORS

__all__ = ['SummaryOptimWrapperConstructor']

_PARAMWISE_PREFIX = 'paramwise_options'


class _DemoteToDebug(logging.Filter):
    """Turn the records starting with ``prefix`` into DEBUG records."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(self.prefix):
            record.levelno = logging.DEBUG
            record.levelname = 'DEBUG'
        return True


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class SummaryOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """``DefaultOptimWrapperConstructor`` with one summary line at INFO.

    MMEngine's constructor logs one ``paramwise_options -- name:key=value``
    line per parameter and option (123 lines for the demo model). Here these
    lines are DEBUG records (shown with ``log_level='DEBUG'``), and one INFO
    line summarises the parameter groups: how many parameters share each
    distinct setting (``lr``, ``weight_decay``, ...). Arguments as for
    ``DefaultOptimWrapperConstructor``.
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        logger = MMLogger.get_current_instance()
        demote = _DemoteToDebug(_PARAMWISE_PREFIX)
        logger.addFilter(demote)
        try:
            optim_wrapper = super().__call__(model)
        finally:
            logger.removeFilter(demote)
        print_log(summarize_param_groups(optim_wrapper.optimizer),
                  logger='current', level=logging.INFO)
        return optim_wrapper


def summarize_param_groups(optimizer) -> str:
    """One line: parameters per distinct setting of the param groups.

    Args:
        optimizer (torch.optim.Optimizer): The built optimizer.

    Returns:
        str: e.g. ``'AdamW parameter groups: 123 parameters (5.6M values)
        in 2 settings: [lr=0.0001, weight_decay=0.01] 60 parameters; ...'``.
    """
    settings: Dict[Tuple, list] = OrderedDict()
    for group in optimizer.param_groups:
        key = tuple(
            (k, v) for k, v in sorted(group.items())
            if k in ('lr', 'weight_decay', 'momentum', 'eps'))
        counts = settings.setdefault(key, [0, 0])
        counts[0] += len(group['params'])
        counts[1] += sum(p.numel() for p in group['params'])
    total = sum(c[0] for c in settings.values())
    values = sum(c[1] for c in settings.values())
    parts = [
        '[' + ', '.join(f'{k}={v}' for k, v in key) +
        f'] {n} parameters ({numel / 1e6:.2f}M values)'
        for key, (n, numel) in settings.items()
    ]
    return (f'{type(optimizer).__name__} parameter groups: {total} '
            f'parameters ({values / 1e6:.2f}M values) in {len(settings)} '
            f'setting(s): ' + '; '.join(parts) +
            ". Per-parameter options: log_level='DEBUG'.")
