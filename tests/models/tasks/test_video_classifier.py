"""AllInOneVideoClassifier: loss, predict, one backbone pass in
extract_feat."""
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

from mmallinone.registry import MODELS


def _build(backbone, **kwargs):
    init_default_scope('mmallinone')
    model = MODELS.build(
        dict(type='AllInOneVideoClassifier', backbone=backbone,
             cls_head=dict(type='VideoClsHead', num_classes=3), **kwargs))
    model.init_weights()
    return model.eval()


def test_extract_feat_runs_backbone_once(tiny_backbone):
    model = _build(tiny_backbone(), use_pooler=True)
    calls = []
    model.backbone.patch_embed.register_forward_hook(
        lambda *a: calls.append(1))
    imgs = torch.randn(2, 2, 3, 32, 32)
    with torch.no_grad():
        feats = model.extract_feat(dict(imgs=imgs))
        assert len(calls) == 1  # the clip was embedded once
        logits = model.video_logits(imgs)
    assert feats['logits'].shape == (2, 3)
    torch.testing.assert_close(feats['logits'], logits)


def test_loss_and_predict(tiny_backbone):
    model = _build(tiny_backbone())
    samples = [ActionDataSample().set_gt_label(i) for i in (0, 2)]
    inputs = dict(imgs=torch.randn(2, 2, 3, 32, 32))
    model.train()
    loss = model(inputs, samples, mode='loss')
    total = sum(v for k, v in loss.items() if 'loss' in k)
    assert torch.isfinite(total) and total > 0
    total.backward()
    model.eval()
    with torch.no_grad():
        out = model(inputs, samples, mode='predict')
    for ds in out:
        torch.testing.assert_close(ds.pred_score.sum(), torch.tensor(1.))
        assert ds.pred_label.item() == ds.pred_score.argmax().item()
