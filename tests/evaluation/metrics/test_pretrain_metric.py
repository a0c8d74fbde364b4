import torch
from mmaction.structures import ActionDataSample

from mmallinone.evaluation import PretrainMetric


def sample(pos, neg=None, pred=None, gt=None):
    ds = ActionDataSample()
    ds.set_field(torch.tensor(pos), 'pred_vtm_pos')
    if neg is not None:
        ds.set_field(torch.tensor(neg), 'pred_vtm_neg')
    if pred is not None:
        ds.set_field(torch.tensor(pred), 'pred_mlm_ids')
        ds.set_field(torch.tensor(gt), 'gt_mlm_ids')
    return ds.to_dict()


def test_vtm_and_mlm_accuracy():
    metric = PretrainMetric()
    metric.process(None, [
        sample(0.9, 0.2, [1, 2], [1, 3]),  # pos ok, neg ok, 1/2 words
        sample(0.4, 0.7, [5], [5]),  # pos wrong, neg wrong, 1/1
    ])
    out = metric.compute_metrics(metric.results)
    assert out == dict(vtm_acc=50.0, vtm_pos_acc=50.0, vtm_neg_acc=50.0,
                       mlm_acc=100.0 * 2 / 3)


def test_without_negatives_or_masks():
    metric = PretrainMetric()
    metric.process(None, [sample(0.8), sample(0.6)])
    out = metric.compute_metrics(metric.results)
    assert out == dict(vtm_acc=100.0, vtm_pos_acc=100.0)
