"""VideoQAMetric: accuracy over all questions and over in-vocabulary ones."""
import pytest
import torch

from mmallinone.evaluation import VideoQAMetric


def _sample(pred, gt):
    return dict(pred_label=torch.tensor([pred]), gt_label=torch.tensor([gt]))


def test_acc_with_oov_answers():
    # 5 questions: 3 in vocabulary (2 right), 2 OOV (-100, always wrong)
    metric = VideoQAMetric()
    metric.process(None, [_sample(1, 1), _sample(0, 2), _sample(4, 4)])
    metric.process(None, [_sample(3, -100), _sample(0, -100)])
    out = metric.evaluate(5)
    assert out['vqa/acc'] == pytest.approx(100 * 2 / 5)
    assert out['vqa/acc_in_vocab'] == pytest.approx(100 * 2 / 3)
    assert out['vqa/num_questions'] == 5
    assert out['vqa/num_in_vocab'] == 3


def test_all_oov_and_all_right():
    metric = VideoQAMetric(prefix='x')
    metric.process(None, [_sample(0, -100)])
    out = metric.evaluate(1)
    assert out == {'x/acc': 0.0, 'x/acc_in_vocab': 0.0,
                   'x/num_questions': 1.0, 'x/num_in_vocab': 0.0}
    metric.process(None, [_sample(2, 2), _sample(7, 7)])
    out = metric.evaluate(2)
    assert out['x/acc'] == out['x/acc_in_vocab'] == 100.0
