"""VCRMetric: Q->A, QA->R and Q->AR worked by hand."""
import pytest
import torch

from mmallinone.evaluation import VCRMetric


def _sample(a_scores, gt_a, r_scores, gt_r):
    ds = dict(gt_label=torch.tensor([gt_a]),
              rationale_label=torch.tensor([gt_r]))
    if isinstance(a_scores, int):
        ds['pred_label'] = torch.tensor([a_scores])
    else:
        ds['pred_score'] = torch.tensor(a_scores)
    if isinstance(r_scores, int):
        ds['pred_rationale_label'] = torch.tensor([r_scores])
    else:
        ds['pred_rationale_score'] = torch.tensor(r_scores)
    return ds


def test_three_accuracies_by_hand():
    samples = [
        # answer right, rationale right -> Q->AR right
        _sample([.7, .1, .1, .1], 0, [.1, .6, .2, .1], 1),
        # answer right, rationale wrong
        _sample(2, 2, [.1, .1, .1, .7], 0),
        # answer wrong (tie -> lowest index 0, right is 1), rationale right
        _sample([.4, .4, .1, .1], 1, 2, 2),
        # both right
        _sample([.1, .1, .1, .7], 3, [.9, 0, 0, .1], 0),
        # unlabelled (test split): not counted
        _sample([.7, .1, .1, .1], -1, [.7, .1, .1, .1], -1),
    ]
    metric = VCRMetric()
    metric.process({}, samples[:2])
    metric.process({}, samples[2:])
    res = metric.evaluate(len(samples))
    # Q->A 3/4, QA->R 3/4, both right 2/4 (not 0.75 * 0.75)
    assert res['vcr/q2a'] == pytest.approx(75.0)
    assert res['vcr/qa2r'] == pytest.approx(75.0)
    assert res['vcr/q2ar'] == pytest.approx(50.0)
    assert res['vcr/mean'] == pytest.approx(75.0)
    assert res['vcr/num_samples'] == 4
    assert res['vcr/num_unlabelled'] == 1


def test_q2ar_needs_both_on_the_same_question():
    """Two questions, each with one of the two right: Q->AR is 0."""
    metric = VCRMetric(prefix='x')
    metric.process({}, [_sample(0, 0, 1, 2), _sample(1, 3, 3, 3)])
    res = metric.evaluate(2)
    assert (res['x/q2a'], res['x/qa2r'], res['x/q2ar']) == (50.0, 50.0, 0.0)


def test_missing_prediction_raises():
    metric = VCRMetric()
    with pytest.raises(KeyError, match='pred_rationale_score'):
        metric.process({}, [dict(gt_label=torch.tensor([0]),
                                 rationale_label=torch.tensor([0]),
                                 pred_score=torch.tensor([1., 0.]))])
