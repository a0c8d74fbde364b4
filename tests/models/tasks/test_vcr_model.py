"""AllInOneVCR: one scorer for Q->A and QA->R, losses, predictions."""
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401
from mmallinone.registry import MODELS
from mmallinone.structures import TEXT_FIELDS, pack_token_ids

TINY = dict(
    type='AllInOneTransformer',
    arch=dict(embed_dims=32, num_layers=2, num_heads=2),
    img_size=32,
    patch_size=16,
    num_frames=3,
    max_text_len=24)


def _build(**kwargs):
    init_default_scope('mmallinone')
    model = MODELS.build(dict(type='AllInOneVCR', backbone=TINY, **kwargs))
    model.init_weights()
    return model


def _batch(labels, k=4):
    samples = []
    for a, r in labels:
        ds = ActionDataSample()
        ds.set_gt_label(a)
        ds.set_field(torch.tensor([r]), 'rationale_label')
        samples.append(ds)
    answers = pack_token_ids(
        [[101] + [2000 + i] * (i + 1) + [102] for i in range(k)],
        TEXT_FIELDS['candidate_ids'])
    # rationales longer than the answers (padding to one length)
    rationales = pack_token_ids(
        [[101, 3000, 102] + [2500 + i] * (i + 6) + [102] for i in range(k)],
        TEXT_FIELDS['rationale_ids'])
    # images: one-frame clips
    inputs = [
        dict(imgs=torch.randint(0, 255, (1, 3, 32, 32), dtype=torch.uint8),
             candidate_ids=answers, rationale_ids=rationales)
        for _ in labels
    ]
    return dict(inputs=inputs, data_samples=samples)


def test_loss_predict_and_shared_scorer():
    torch.manual_seed(0)
    model = _build()
    data = model.data_preprocessor(_batch([(0, 3), (2, 1)]), training=True)
    assert data['inputs']['imgs'].shape == (2, 1, 3, 32, 32)
    calls = []
    orig = model.backbone.forward_joint

    def counted(imgs, ids, mask):
        calls.append(imgs.shape[0])
        return orig(imgs, ids, mask)

    model.backbone.forward_joint = counted
    losses = model(**data, mode='loss')
    # one batched joint forward of the 2 x (4 + 4) pairs
    assert calls == [16]
    assert set(losses) == {'loss_q2a', 'loss_qa2r', 'acc_q2a', 'acc_qa2r'}
    (losses['loss_q2a'] + losses['loss_qa2r']).backward()
    assert model.vtm_head.fc.weight.grad[1].abs().sum() > 0

    model.eval()
    with torch.no_grad():
        a_scores, r_scores = model.vcr_scores(data['inputs'])
        # both are the VTM match logit: rank_output and rank_output_2 tied
        ids = data['inputs']['candidate_ids']
        pooled = model.candidates_pooled(data['inputs']['imgs'], ids,
                                         data['inputs']['candidate_mask'])
        assert torch.allclose(a_scores, model.vtm_head(pooled)[..., 1],
                              atol=1e-5)
        out = model(**data, mode='predict')
        model.vtm_head.fc.bias[1] += 5.0  # moves every score of both tasks
        a2, r2 = model.vcr_scores(data['inputs'])
    assert torch.allclose(a2 - a_scores, torch.full_like(a2, 5.0), atol=1e-4)
    assert torch.allclose(r2 - r_scores, torch.full_like(r2, 5.0), atol=1e-4)
    assert a_scores.shape == r_scores.shape == (2, 4)
    assert out[0].pred_score.shape == out[0].pred_rationale_score.shape == (
        4, )
    assert int(out[1].pred_label) == int(a_scores[1].argmax())
    assert int(out[1].pred_rationale_label) == int(r_scores[1].argmax())


def test_loss_weights_and_errors():
    torch.manual_seed(0)
    model = _build(loss_weights=dict(qa2r=0.0))
    data = model.data_preprocessor(_batch([(1, 2)]), training=True)
    losses = model(**data, mode='loss')
    assert losses['loss_qa2r'].item() == 0.0 and losses['loss_q2a'] > 0
    with pytest.raises(ValueError, match='loss_weights'):
        _build(loss_weights=dict(qar=1.0))
    del data['inputs']['rationale_ids']
    with pytest.raises(KeyError, match='rationale_ids'):
        model(**data, mode='loss')


def test_released_vcr_checkpoint_rank_output_2():
    """A release-layout VCR state dict (rank_output, rank_output_2 = ITM
    row 1) converts and loads strictly; both tasks score with that row."""
    from mmallinone.checkpoint.key_mapping import (
        convert_allinone_to_mmallinone, convert_mmallinone_to_allinone)
    torch.manual_seed(0)
    src = _build()
    released, _ = convert_mmallinone_to_allinone(
        src.state_dict(), with_rank_output=True)
    released['rank_output_2.weight'] = released['rank_output.weight'].clone()
    released['rank_output_2.bias'] = released['rank_output.bias'].clone()
    ours, report = convert_allinone_to_mmallinone(released)
    assert not report.unmapped and not report.notes
    assert {k for k, _ in report.dropped} >= {'rank_output_2.weight',
                                              'rank_output_2.bias'}
    dst = _build()
    dst.load_state_dict(ours, strict=True)
    dst.eval()
    src.eval()
    data = dst.data_preprocessor(_batch([(0, 1)]), training=False)
    with torch.no_grad():
        for a, b in zip(src.vcr_scores(data['inputs']),
                        dst.vcr_scores(data['inputs'])):
            assert torch.allclose(a, b, atol=1e-6)
    # an edited rank_output_2 cannot be represented: reported
    released['rank_output_2.bias'] = released['rank_output_2.bias'] + 1
    _, report = convert_allinone_to_mmallinone(released)
    assert any('rank_output_2 differs' in n for n in report.notes)


def test_predict_without_rationales_scores_answers_only():
    """Answer choice alone (as answer_question builds it): MC scoring, and
    data samples are made when none are given."""
    torch.manual_seed(0)
    model = _build().eval()
    data = model.data_preprocessor(_batch([(1, 2), (0, 3)]))
    inputs = {k: v for k, v in data['inputs'].items()
              if not k.startswith('rationale')}
    with torch.no_grad():
        out = model(inputs, None, mode='predict')
        full = model(data['inputs'], None, mode='predict')
    assert len(out) == 2 and 'pred_rationale_score' not in out[0]
    assert torch.allclose(out[1].pred_score, full[1].pred_score)
    assert 'pred_rationale_score' in full[0]
