"""AllInOneVideoQA with a tiny backbone: head keys, loss, predict."""
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401
from mmallinone.registry import MODELS

@pytest.fixture
def build_qa(tiny_backbone):
    """Factory of tiny QA models (backbone dropout at its default 0.1)."""

    def build(num_classes=7):
        init_default_scope('mmallinone')
        model = MODELS.build(
            dict(
                type='AllInOneVideoQA',
                backbone=tiny_backbone(drop_rate=0.1, drop_path_rate=0.1),
                vqa_head=dict(
                    type='OpenEndedQAHead', num_classes=num_classes)))
        model.init_weights()
        return model

    return build


def _batch(labels):
    samples = []
    for label in labels:
        ds = ActionDataSample()
        ds.set_gt_label(label)
        samples.append(ds)
    imgs = [torch.randint(0, 255, (2, 3, 32, 32), dtype=torch.uint8)
            for _ in labels]
    ids = [torch.tensor([101, 2054, 2003, 102]) for _ in labels]
    return dict(inputs=dict(imgs=imgs, input_ids=ids), data_samples=samples)


def test_head_keys_match_authors_layout(build_qa):
    model = build_qa()
    keys = {k for k in model.state_dict() if k.startswith('vqa_head')}
    # authors: vqa_classifier.{1,2,4}.{weight,bias}
    assert keys == {f'vqa_head.classifier.{i}.{p}' for i in (1, 2, 4)
                    for p in ('weight', 'bias')}
    assert model.vqa_head.classifier[1].out_features == 16  # D / 2
    assert model.vqa_head.classifier[4].out_features == 7


def test_loss_ignores_oov_and_predict_shapes(build_qa):
    torch.manual_seed(0)
    model = build_qa()
    data = model.data_preprocessor(_batch([3, -100, 0]), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_vqa', 'acc_vqa'}
    assert torch.isfinite(losses['loss_vqa'])
    losses['loss_vqa'].backward()
    assert model.vqa_head.classifier[4].weight.grad.abs().sum() > 0

    # an all-OOV batch gives a zero (not NaN) loss that still backprops
    model.zero_grad()
    data = model.data_preprocessor(_batch([-100, -100]), training=True)
    losses = model(**data, mode='loss')
    assert losses['loss_vqa'].item() == 0.0
    losses['loss_vqa'].backward()

    model.eval()
    data = model.data_preprocessor(_batch([1, 2]), training=False)
    with torch.no_grad():
        out = model(**data, mode='predict')
    assert len(out) == 2
    assert out[0].pred_score.shape == (7, )
    assert torch.allclose(out[0].pred_score.sum(), torch.tensor(1.0))
    assert int(out[0].pred_label) == int(out[0].pred_score.argmax())


def test_loss_equals_ce_over_in_vocab_only(build_qa):
    torch.manual_seed(0)
    model = build_qa().eval()  # no dropout: logits are deterministic
    data = model.data_preprocessor(_batch([3, -100]), training=False)
    with torch.no_grad():
        logits = model.answer_logits(data['inputs'])
        loss = model(**data, mode='loss')['loss_vqa']
    expected = torch.nn.functional.cross_entropy(logits[:1],
                                                 torch.tensor([3]))
    assert torch.allclose(loss, expected, atol=1e-5)
