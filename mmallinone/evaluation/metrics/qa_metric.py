"""Accuracy of open-ended video QA, with and without OOV questions."""
from typing import Dict, List, Sequence

import torch
from mmengine.evaluator import BaseMetric

from mmallinone.registry import METRICS

__all__ = ['VideoQAMetric']


def _first_int(value) -> int:
    return int(torch.as_tensor(value).reshape(-1)[0])


@METRICS.register_module()
class VideoQAMetric(BaseMetric):
    """Top-1 answer accuracy of open-ended video QA, reported twice.

    Reads ``pred_label`` (the argmax answer index) and ``gt_label`` (the
    answer's index in the training vocabulary, ``ignore_index`` when the
    answer is out of the vocabulary, OOV) of every sample.

    - ``acc``: correct / **all** questions; an OOV question is always wrong
      (the standard protocol).
    - ``acc_in_vocab``: correct / questions whose answer is in the
      vocabulary; OOV questions are removed from the denominator, as the
      authors' ``Accuracy``. This is the number the
      paper reports.
    - ``num_questions``, ``num_in_vocab``: the two denominators.

    Accuracies are percentages (0-100). With no in-vocabulary question,
    ``acc_in_vocab`` is 0.

    Args:
        ignore_index (int): The OOV label. Defaults to -100.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to ``'vqa'``.
    """

    default_prefix = 'vqa'

    def __init__(self,
                 ignore_index: int = -100,
                 collect_device: str = 'cpu',
                 prefix: str = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ignore_index = ignore_index

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store ``(pred, gt)`` of every sample."""
        for ds in data_samples:
            self.results.append(
                dict(
                    pred=_first_int(ds['pred_label']),
                    gt=_first_int(ds['gt_label'])))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute ``acc``, ``acc_in_vocab`` and the two counts."""
        total = len(results)
        in_vocab = [r for r in results if r['gt'] != self.ignore_index]
        correct = sum(r['pred'] == r['gt'] for r in in_vocab)
        return dict(
            acc=100.0 * correct / total if total else 0.0,
            acc_in_vocab=100.0 * correct / len(in_vocab) if in_vocab else 0.0,
            num_questions=float(total),
            num_in_vocab=float(len(in_vocab)))
