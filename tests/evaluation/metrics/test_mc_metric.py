"""MultipleChoiceMetric: argmax of candidate scores vs the right index."""
import pytest
import torch

from mmallinone.evaluation import MultipleChoiceMetric


def test_mc_accuracy_hand_worked():
    metric = MultipleChoiceMetric()
    metric.process(None, [
        dict(pred_score=torch.tensor([.1, .7, .2]), gt_label=torch.tensor(
            [1])),  # right
        dict(pred_score=torch.tensor([.5, .3, .2]), gt_label=torch.tensor(
            [2])),  # wrong
        # a tie: argmax takes the first maximum -> index 0, gt 1: wrong
        dict(pred_score=torch.tensor([.4, .4, .2]), gt_label=torch.tensor(
            [1])),
        dict(pred_label=torch.tensor([3]), gt_label=torch.tensor([3])),
    ])
    out = metric.evaluate(4)
    assert out['mc/acc'] == pytest.approx(50.0)
    assert out['mc/num_samples'] == 4
