"""AllInOneMultipleChoice: VTM-logit and MLP scoring, zero-shot loading."""
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401
from mmallinone.registry import MODELS
from mmallinone.structures import TEXT_FIELDS, pack_token_ids

@pytest.fixture
def build_mc(tiny_backbone):
    """Factory of tiny MC models (backbone dropout at its default 0.1)."""

    def build(**kwargs):
        init_default_scope('mmallinone')
        model = MODELS.build(
            dict(type='AllInOneMultipleChoice', backbone=_tiny(tiny_backbone),
                 **kwargs))
        model.init_weights()
        return model

    return build


def _tiny(tiny_backbone):
    return tiny_backbone(drop_rate=0.1, drop_path_rate=0.1)


def _batch(labels, k=4):
    samples = []
    for label in labels:
        ds = ActionDataSample()
        ds.set_gt_label(label)
        samples.append(ds)
    inputs = [
        dict(imgs=torch.randint(0, 255, (2, 3, 32, 32), dtype=torch.uint8),
             candidate_ids=pack_token_ids(
                 [[101] + [2000 + i] * (i + 1) + [102] for i in range(k)],
                 TEXT_FIELDS['candidate_ids'])) for _ in labels
    ]
    return dict(inputs=inputs, data_samples=samples)


def test_vtm_scoring_loss_and_predict(build_mc):
    torch.manual_seed(0)
    model = build_mc()
    assert model.score_head is None and model.vtm_head is not None
    data = model.data_preprocessor(_batch([0, 3]), training=True)
    assert data['inputs']['candidate_ids'].shape[:2] == (2, 4)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_mc', 'acc_mc'}
    losses['loss_mc'].backward()
    assert model.vtm_head.fc.weight.grad[1].abs().sum() > 0
    model.eval()
    with torch.no_grad():
        scores = model.candidate_scores(data['inputs'])
        out = model(**data, mode='predict')
    assert scores.shape == (2, 4)
    # scores are the VTM match logits of each (video, candidate) pair
    pooled = model.candidates_pooled(data['inputs']['imgs'],
                                     data['inputs']['candidate_ids'],
                                     data['inputs']['candidate_mask'])
    assert torch.allclose(scores, model.vtm_head(pooled)[..., 1], atol=1e-5)
    assert out[1].pred_score.shape == (4, )
    assert int(out[1].pred_label) == int(scores[1].argmax())


def test_mlp_score_head(build_mc):
    model = build_mc(score_head=dict(type='MultipleChoiceQAHead'))
    assert model.vtm_head is None
    keys = {k for k in model.state_dict() if k.startswith('score_head')}
    assert keys == {f'score_head.classifier.{i}.{p}' for i in (1, 2, 4)
                    for p in ('weight', 'bias')}
    data = model.data_preprocessor(_batch([1, 2], k=5), training=True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_mc'])
    with pytest.raises(ValueError):
        build_mc(vtm_head=None, score_head=None)


def test_zero_shot_uses_pretrained_vtm_head_unchanged(build_mc, tiny_backbone,
                                                      tmp_path):
    """A pre-training state dict loads without mapping; VTM row 1 scores."""
    torch.manual_seed(1)
    init_default_scope('mmallinone')
    pre = MODELS.build(
        dict(
            type='AllInOnePretrainer',
            backbone=_tiny(tiny_backbone),
            mlm_head=dict(type='MLMHead', vocab_size=30522)))
    pre.init_weights()
    with torch.no_grad():
        pre.vtm_head.fc.weight.normal_()
        pre.vtm_head.fc.bias.normal_()
    ckpt = tmp_path / 'pre.pth'
    torch.save(dict(state_dict=pre.state_dict()), ckpt)

    from mmengine.runner import load_checkpoint
    model = build_mc()
    load_checkpoint(model, str(ckpt), strict=False)
    for key, value in model.state_dict().items():
        assert torch.equal(value, pre.state_dict()[key]), key
    assert torch.equal(model.vtm_head.fc.weight, pre.vtm_head.fc.weight)

    model.eval()
    pre.eval()
    data = model.data_preprocessor(_batch([0]), training=False)
    with torch.no_grad():
        scores = model.candidate_scores(data['inputs'])
        ids = data['inputs']['candidate_ids'][0]
        mask = data['inputs']['candidate_mask'][0]
        imgs = data['inputs']['imgs'].expand(4, -1, -1, -1, -1)
        ref = pre.vtm_head(pre.joint_pooled(imgs, ids, mask))[:, 1]
    assert torch.allclose(scores[0], ref, atol=1e-5)
