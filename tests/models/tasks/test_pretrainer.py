import pytest
import torch
from mmaction.structures import ActionDataSample

from mmallinone.models import AllInOnePretrainer

BACKBONE = dict(
    type='AllInOneTransformer',
    arch=dict(embed_dims=32, num_layers=2, num_heads=2),
    img_size=32, patch_size=16, max_text_len=12, vocab_size=200,
    drop_rate=0., drop_path_rate=0.)


def build(**kwargs):
    cfg = dict(backbone=BACKBONE, mlm_head=dict(type='MLMHead',
                                                vocab_size=200))
    cfg.update(kwargs)
    model = AllInOnePretrainer(**cfg)
    model.init_weights()
    return model


def batch(b=4, with_false=True):
    torch.manual_seed(0)
    ids = torch.randint(5, 200, (b, 6))
    mask = torch.ones(b, 6, dtype=torch.long)
    mlm_ids = ids.clone()
    mlm_ids[:, 2] = 103
    labels = torch.full_like(ids, -100)
    labels[:, 2] = ids[:, 2]
    inputs = dict(imgs=torch.randn(b, 3, 3, 32, 32), input_ids=ids,
                  attention_mask=mask, mlm_input_ids=mlm_ids,
                  mlm_labels=labels)
    if with_false:
        inputs['false_imgs'] = torch.randn(b, 3, 3, 32, 32)
    return inputs


def test_loss_keys_are_finite_and_backpropagate():
    model = build()
    losses = model(batch(), None, mode='loss')
    assert set(losses) == {'loss_vtm', 'loss_mlm', 'loss_wpa', 'acc_vtm',
                           'acc_mlm'}
    for v in losses.values():
        assert torch.isfinite(v)
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    total.backward()
    assert model.backbone.blocks[0].attn.qkv.weight.grad.abs().sum() > 0
    assert model.vtm_head.fc.weight.grad.abs().sum() > 0
    assert model.mlm_head.decoder.weight.grad.abs().sum() > 0


def test_loss_weights_scale_and_zero_weight_skips():
    torch.manual_seed(3)
    base = build()
    torch.manual_seed(3)
    l1 = base(batch(), None, mode='loss')
    torch.manual_seed(3)
    double = build(loss_weights=dict(mlm=2.0, wpa=0.))
    double.load_state_dict(base.state_dict())
    torch.manual_seed(3)
    l2 = double(batch(), None, mode='loss')
    torch.testing.assert_close(l2['loss_mlm'], 2 * l1['loss_mlm'])
    assert 'loss_wpa' not in l2
    only_mlm = build(loss_weights=dict(vtm=0., wpa=0.), vtm_head=None)
    assert set(only_mlm(batch(), None, mode='loss')) == {'loss_mlm',
                                                         'acc_mlm'}
    with pytest.raises(ValueError, match='valid'):
        build(loss_weights=dict(itm=1.0))


def test_vtm_labels_half_positive_and_negatives_are_other_videos():
    labels = AllInOnePretrainer.sample_vtm_labels(7, torch.device('cpu'))
    assert labels.sum() == 3 and len(labels) == 7
    imgs = torch.arange(6.).view(6, 1, 1, 1, 1)
    for _ in range(20):
        neg = AllInOnePretrainer.derange(imgs)
        assert sorted(neg.flatten().tolist()) == list(range(6))
        assert (neg.flatten() != imgs.flatten()).all()  # a derangement
    with pytest.raises(ValueError, match='num_false_videos'):
        AllInOnePretrainer.derange(imgs[:1])


def test_vtm_negatives_come_from_the_declared_source_only():
    imgs = torch.arange(6.).view(6, 1, 1, 1, 1)
    false = torch.zeros(6, 1, 1, 1, 1)
    dataset = build()  # the default: the datasets' false videos
    assert dataset.vtm_negative_source == 'dataset'
    assert dataset.negative_videos(imgs, false) is false
    with pytest.raises(ValueError, match='no false_imgs.*num_false_videos=1'):
        dataset(batch(with_false=False), None, mode='loss')
    batch_neg = build(vtm_negative_source='batch')
    neg = batch_neg.negative_videos(imgs, None)
    assert (neg.flatten() != imgs.flatten()).all()
    assert set(batch_neg(batch(with_false=False), None, mode='loss')) == {
        'loss_vtm', 'loss_mlm', 'loss_wpa', 'acc_vtm', 'acc_mlm'}
    with pytest.raises(ValueError, match='false_imgs it would ignore'):
        batch_neg(batch(), None, mode='loss')
    # evaluation scores in-batch negatives, whatever the training source
    dataset.eval()
    assert (dataset.negative_videos(imgs, None) != imgs).all()
    with pytest.raises(ValueError, match='evaluation.*it would ignore'):
        dataset.negative_videos(imgs, false)
    with pytest.raises(ValueError, match='vtm_negative_source must be'):
        build(vtm_negative_source='hard')


def test_tied_decoder_shares_word_embeddings():
    model = build(tie_mlm_decoder=True)
    assert model.mlm_head.decoder.weight is \
        model.backbone.text_embeddings.word_embeddings.weight
    untied = build()
    assert untied.mlm_head.decoder.weight is not \
        untied.backbone.text_embeddings.word_embeddings.weight


def test_predict_and_tensor_modes():
    model = build().eval()
    inputs = batch(2, with_false=False)
    samples = [ActionDataSample(), ActionDataSample()]
    with torch.no_grad():
        out = model(inputs, samples, mode='predict')
        feats = model(inputs, None, mode='tensor')
    assert 0 <= float(out[0].pred_vtm_pos) <= 1
    assert 0 <= float(out[0].pred_vtm_neg) <= 1
    assert out[1].pred_mlm_ids.shape == out[1].gt_mlm_ids.shape == (1, )
    assert out[1].gt_mlm_ids.tolist() == [int(inputs['input_ids'][1, 2])]
    assert feats['pooled'].shape == (2, 32)
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(inputs, None, mode='train')
