"""Accuracy of multiple-choice tasks (video QA and caption choice)."""
from typing import Dict, List, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmpretrain.evaluation import Accuracy

from mmallinone.registry import METRICS

__all__ = ['MultipleChoiceMetric']


@METRICS.register_module()
class MultipleChoiceMetric(BaseMetric):
    """Fraction of samples whose top-scored candidate is the right one.

    Reads ``pred_score`` (``(K,)`` candidate scores) or, without it,
    ``pred_label``, and ``gt_label`` (index of the right candidate). The
    prediction is the argmax; a tie between the right candidate and another
    counts as wrong unless the right one has the lowest index (``argmax``
    returns the first maximum), which keeps the metric deterministic.

    Returns ``acc`` (percentage, 0-100) and ``num_samples``.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``'mc'``.
    """

    default_prefix = 'mc'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store ``(pred, gt)`` of every sample."""
        for ds in data_samples:
            if 'pred_score' in ds:
                pred = int(torch.as_tensor(ds['pred_score']).argmax())
            else:
                pred = int(torch.as_tensor(ds['pred_label']).reshape(-1)[0])
            gt = int(torch.as_tensor(ds['gt_label']).reshape(-1)[0])
            self.results.append(dict(pred=pred, gt=gt))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute ``acc`` and ``num_samples``."""
        total = len(results)
        if not total:
            return dict(acc=0.0, num_samples=0.0)
        acc = Accuracy.calculate(  # top-1 of predicted labels, in %
            torch.tensor([r['pred'] for r in results]),
            torch.tensor([r['gt'] for r in results]))
        return dict(acc=float(acc), num_samples=float(total))
