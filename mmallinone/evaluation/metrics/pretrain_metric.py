"""Held-out pre-training metrics: VTM and MLM accuracy."""
from typing import Dict, List, Sequence

import torch
from mmengine.evaluator import BaseMetric

from mmallinone.registry import METRICS

__all__ = ['PretrainMetric']


@METRICS.register_module()
class PretrainMetric(BaseMetric):
    """Video-text matching and masked-word accuracy on held-out pairs.

    Reads what :meth:`AllInOnePretrainer.predict` writes on each sample:

    - ``vtm_acc``: accuracy over all scored pairs, a matched pair counting
      as correct when its match probability is > 0.5 and a mismatched one
      (the sample's text with another video) when it is <= 0.5;
    - ``vtm_pos_acc`` / ``vtm_neg_acc``: the same per pair type;
    - ``mlm_acc``: top-1 accuracy over masked tokens (needs
      ``MaskTokensForMLM`` in the evaluation pipeline).

    All values are percentages.
    """

    default_prefix = 'pretrain'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for ds in data_samples:
            result = dict(pos=float(ds['pred_vtm_pos']))
            if 'pred_vtm_neg' in ds:
                result['neg'] = float(ds['pred_vtm_neg'])
            if 'pred_mlm_ids' in ds:
                pred = torch.as_tensor(ds['pred_mlm_ids'])
                gt = torch.as_tensor(ds['gt_mlm_ids'])
                result['mlm_correct'] = int((pred == gt).sum())
                result['mlm_total'] = int(gt.numel())
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        pos_ok = [r['pos'] > 0.5 for r in results]
        neg_ok = [r['neg'] <= 0.5 for r in results if 'neg' in r]
        metrics = dict(
            vtm_acc=100.0 * sum(pos_ok + neg_ok) / len(pos_ok + neg_ok),
            vtm_pos_acc=100.0 * sum(pos_ok) / len(pos_ok))
        if neg_ok:
            metrics['vtm_neg_acc'] = 100.0 * sum(neg_ok) / len(neg_ok)
        total = sum(r.get('mlm_total', 0) for r in results)
        if total:
            metrics['mlm_acc'] = 100.0 * sum(
                r.get('mlm_correct', 0) for r in results) / total
        return metrics
