"""Retrieval metric against hand-worked examples."""
import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample

from mmallinone.evaluation import RetrievalMetric
from mmallinone.evaluation.metrics.retrieval_metric import (
    first_positive_rank, retrieval_metrics, similarity_matrix, t2v_ranks,
    v2t_ranks)

# 4 texts x 3 videos; video 0 has two captions (texts 0 and 1).
SIM = np.array([
    [0.9, 0.1, 0.2],  # t0 -> v0: first
    [0.3, 0.5, 0.3],  # t1 -> v0: one negative above, one tied
    [0.2, 0.4, 0.4],  # t2 -> v1: tied with v2
    [0.8, 0.7, 0.1],  # t3 -> v2: ranks last
])
OWNER = np.array([0, 0, 1, 2])


@pytest.mark.parametrize('ties,expected', [
    ('pessimistic', [1, 3, 2, 3]),
    ('optimistic', [1, 2, 1, 3]),
    ('average', [1, 2.5, 1.5, 3]),
])
def test_t2v_ranks_tie_rules(ties, expected):
    np.testing.assert_allclose(t2v_ranks(SIM, OWNER, ties), expected)


def test_v2t_rank_is_best_caption_and_last_positive():
    # v0: best caption t0 (0.9) first; v1: t2 (0.4) behind 0.5 and 0.7;
    # v2: its only caption t3 (0.1) is the lowest of the column -> last.
    for ties in ('pessimistic', 'optimistic', 'average'):
        np.testing.assert_allclose(v2t_ranks(SIM, OWNER, ties), [1, 3, 4])


def test_several_tied_positives_average_rule():
    # one query, two positives and one negative all tied
    scores = np.array([[0.5, 0.5, 0.5, 0.1]])
    pos = np.array([[True, True, False, False]])
    assert first_positive_rank(scores, pos, 'pessimistic')[0] == 2
    assert first_positive_rank(scores, pos, 'optimistic')[0] == 1
    assert first_positive_rank(scores, pos, 'average')[0] == \
        pytest.approx(1 + 1 / 3)


def test_summary_names_and_values():
    m = retrieval_metrics(SIM, OWNER, 'pessimistic')
    assert list(m) == [
        't2v/R@1', 't2v/R@5', 't2v/R@10', 't2v/MdR', 't2v/MnR', 'v2t/R@1',
        'v2t/R@5', 'v2t/R@10', 'v2t/MdR', 'v2t/MnR'
    ]
    assert m['t2v/R@1'] == 25.0 and m['t2v/R@5'] == 100.0
    assert m['t2v/MdR'] == 2.5 and m['t2v/MnR'] == 2.25
    assert m['v2t/R@1'] == pytest.approx(100 / 3)
    assert m['v2t/MdR'] == 3.0 and m['v2t/MnR'] == pytest.approx(8 / 3)
    opt = retrieval_metrics(SIM, OWNER, 'optimistic')
    assert opt['t2v/R@1'] == 50.0 and opt['t2v/MnR'] == 1.75


def test_constant_similarities_are_not_rewarded():
    sim = np.zeros((3, 3))
    owner = np.arange(3)
    assert retrieval_metrics(sim, owner)['t2v/R@1'] == 0.0
    assert retrieval_metrics(sim, owner, 'optimistic')['t2v/R@1'] == 100.0


def test_metric_averages_views_and_dedups_samples():
    # video 0's two views give t0 and t1 0.5 each; video 1 prefers t0.
    t = torch.tensor([[1., 0.], [0., 1.]])
    v0 = torch.tensor([[1., 0.], [0., 1.]])
    v1 = torch.tensor([[1., 0.], [1., 0.]])
    np.testing.assert_allclose(
        similarity_matrix(t.numpy(), torch.stack([v0, v1]).numpy()),
        [[0.5, 1.0], [0.5, 0.0]])
    metric = RetrievalMetric()
    samples = []
    for idx, (video, text) in enumerate([(v0, t[:1]), (v1, t[1:])]):
        ds = ActionDataSample(metainfo=dict(sample_idx=idx))
        ds.set_field(video, 'pred_video_embeds')
        ds.set_field(text, 'pred_text_embeds')
        samples.append(ds.to_dict())
    metric.process({}, samples)
    metric.process({}, samples[:1])  # distributed padding duplicate
    out = metric.compute_metrics(metric.results)
    # t0 -> v0 (0.5 < 1.0): rank 2; t1 -> v1 (0.0 < 0.5): rank 2
    assert out['t2v/R@1'] == 0.0 and out['t2v/MnR'] == 2.0
    # v0: its caption t0 (0.5) ties the negative t1 (0.5)
    # -> pessimistic rank 2; v1: its caption t1 (0.0) after t0 (1.0): 2
    assert out['v2t/MnR'] == 2.0


def test_invalid_tie_rule():
    with pytest.raises(ValueError, match='ties'):
        RetrievalMetric(ties='random')


# 6 texts x 6 videos, text i <-> video i. t0's video ties one negative (v1);
# v0's caption t0 has 4 captions above it and ties one more (t5).
TIES_SIM = np.diag([0.5, 1.0, 1.0, 1.0, 1.0, 1.0])
TIES_SIM[1:5, 0] = 0.9
TIES_SIM[5, 0] = 0.5
TIES_SIM[0, 1] = 0.5
TIES_OWNER = np.arange(6)


def test_project_default_tie_rule_hand_worked():
    """Pessimistic both ways, ``rank <= k`` on 1-based ranks."""
    out = retrieval_metrics(TIES_SIM, TIES_OWNER)
    # t2v ranks [2, 1, 1, 1, 1, 1]; v2t ranks [6, 1, 1, 1, 1, 1]
    assert out['t2v/R@1'] == pytest.approx(500 / 6)
    assert out['t2v/MnR'] == pytest.approx(7 / 6)
    assert out['v2t/R@5'] == pytest.approx(500 / 6)
    assert out['v2t/R@10'] == 100.0
    assert out['v2t/MnR'] == pytest.approx(11 / 6)
    # the metric's default is unchanged
    assert RetrievalMetric().ties == 'pessimistic'


def test_authors_tie_preset_hand_worked():
    """t2v optimistic, v2t averaged, R@k as ``rank0 < k`` (0-based)."""
    out = retrieval_metrics(TIES_SIM, TIES_OWNER, 'authors')
    # t2v ranks [1, 1, 1, 1, 1, 1]
    assert out['t2v/R@1'] == 100.0 and out['t2v/MnR'] == 1.0
    # v2t: v0's averaged rank is 4 + 1 + 1/2 = 5.5 (0-based 4.5 < 5): it
    # counts for R@5, not for R@1
    assert out['v2t/R@1'] == pytest.approx(500 / 6)
    assert out['v2t/R@5'] == 100.0
    assert out['v2t/MnR'] == pytest.approx(10.5 / 6)
    assert out['v2t/MdR'] == 1.0
    # the plain 'average' rule keeps rank <= k: 5.5 misses R@5
    out = retrieval_metrics(TIES_SIM, TIES_OWNER, 'average')
    assert out['v2t/R@5'] == pytest.approx(500 / 6)
    assert out['v2t/MnR'] == pytest.approx(10.5 / 6)


def test_tie_rule_per_direction():
    out = retrieval_metrics(TIES_SIM, TIES_OWNER,
                            dict(t2v='pessimistic', v2t='optimistic'))
    assert out['t2v/R@1'] == pytest.approx(500 / 6)  # t0 rank 2
    assert out['v2t/R@5'] == 100.0  # v0 rank 5
    assert out['v2t/MnR'] == pytest.approx(10 / 6)
    metric = RetrievalMetric(ties='authors')
    assert metric.ties == 'authors'
    with pytest.raises(ValueError, match='v2t'):
        RetrievalMetric(ties=dict(t2v='optimistic'))
    with pytest.raises(ValueError, match='ties'):
        RetrievalMetric(ties=dict(t2v='optimistic', v2t='random'))
