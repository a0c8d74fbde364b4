"""VCR accuracies: Q->A, QA->R and Q->AR."""
from typing import Dict, List, Sequence

import torch
from mmengine.evaluator import BaseMetric

from mmallinone.registry import METRICS

__all__ = ['VCRMetric']


def _argmax(ds: dict, score_key: str, label_key: str) -> int:
    if score_key in ds:
        return int(torch.as_tensor(ds[score_key]).argmax())
    if label_key in ds:
        return int(torch.as_tensor(ds[label_key]).reshape(-1)[0])
    raise KeyError(f'VCRMetric: a data sample has neither {score_key!r} '
                   f'nor {label_key!r} (use AllInOneVCR)')


@METRICS.register_module()
class VCRMetric(BaseMetric):
    """Accuracy of VCR's three settings (Zellers et al. 2019).

    - ``q2a``: the top-scored answer is the right one;
    - ``qa2r``: the top-scored rationale is the right one (the rationales
      are scored given the *right* answer, as VCR's protocol);
    - ``q2ar``: both are right for the same question.

    Reads ``pred_score`` (or ``pred_label``) with ``gt_label`` and
    ``pred_rationale_score`` (or ``pred_rationale_label``) with
    ``rationale_label``. Ties go to the lowest index (``argmax``).
    Samples without labels (-1, the unlabelled test split) are not counted
    (``num_unlabelled``).

    Returns ``q2a``, ``qa2r``, ``q2ar`` (percentages, 0-100), ``mean``
    (mean of Q->A and QA->R, the authors' checkpoint-selection value), ``num_samples`` and ``num_unlabelled``.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``'vcr'``.
    """

    default_prefix = 'vcr'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store predicted and right answer / rationale per sample."""
        for ds in data_samples:
            self.results.append(
                dict(
                    pred_a=_argmax(ds, 'pred_score', 'pred_label'),
                    gt_a=int(torch.as_tensor(ds['gt_label']).reshape(-1)[0]),
                    pred_r=_argmax(ds, 'pred_rationale_score',
                                   'pred_rationale_label'),
                    gt_r=int(
                        torch.as_tensor(
                            ds['rationale_label']).reshape(-1)[0])))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute the three accuracies over labelled samples."""
        labelled = [r for r in results if r['gt_a'] >= 0 and r['gt_r'] >= 0]
        n = len(labelled)
        a_ok = [r['pred_a'] == r['gt_a'] for r in labelled]
        r_ok = [r['pred_r'] == r['gt_r'] for r in labelled]
        both = [a and r for a, r in zip(a_ok, r_ok)]

        def pct(flags: List[bool]) -> float:
            return 100.0 * sum(flags) / n if n else 0.0

        q2a, qa2r = pct(a_ok), pct(r_ok)
        return dict(
            q2a=q2a,
            qa2r=qa2r,
            q2ar=pct(both),
            mean=(q2a + qa2r) / 2,
            num_samples=float(n),
            num_unlabelled=float(len(results) - n))
