"""Image-video co-training in the pre-trainer: multi-source batches,
per-source loss weights, shared vs separate heads, one-frame images."""
import pytest
import torch
from mmaction.structures import ActionDataSample

from mmallinone.models import AllInOnePretrainer, MultiSourceDataPreprocessor

BACKBONE = dict(
    type='AllInOneTransformer',
    arch=dict(embed_dims=32, num_layers=2, num_heads=2),
    img_size=32,
    patch_size=16,
    max_text_len=12,
    vocab_size=200,
    num_frames=3,
    drop_rate=0.,
    drop_path_rate=0.)


def build(**kwargs):
    cfg = dict(
        backbone=BACKBONE,
        mlm_head=dict(type='MLMHead', vocab_size=200),
        vtm_negative_source='batch')  # the batches carry no false videos
    cfg.update(kwargs)
    torch.manual_seed(0)
    model = AllInOnePretrainer(**cfg)
    model.init_weights()
    return model


def source_batch(frames, b=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, 200, (b, 6), generator=g)
    mlm_ids = ids.clone()
    mlm_ids[:, 2] = 103
    labels = torch.full_like(ids, -100)
    labels[:, 2] = ids[:, 2]
    return dict(
        imgs=torch.randn(b, frames, 3, 32, 32, generator=g),
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        mlm_input_ids=mlm_ids,
        mlm_labels=labels)


def multi_batch():
    return dict(video=source_batch(3, seed=1), image=source_batch(1, seed=2))


def losses_of(model, inputs, seed=3):
    torch.manual_seed(seed)
    return model(inputs, None, mode='loss')


def test_multi_source_loss_keys_per_source_and_single_batch_unchanged():
    model = build()
    losses = losses_of(model, multi_batch())
    assert set(losses) == {
        f'{s}/{k}'
        for s in ('video', 'image')
        for k in ('loss_vtm', 'loss_mlm', 'loss_wpa', 'acc_vtm', 'acc_mlm')
    }
    assert all(torch.isfinite(v) for v in losses.values())
    # each source's terms equal the single-source losses of its batch
    torch.manual_seed(3)
    video = model(multi_batch()['video'], None, mode='loss')
    for k in ('loss_vtm', 'loss_mlm', 'loss_wpa'):
        torch.testing.assert_close(losses[f'video/{k}'], video[k])
    assert set(video) == {
        'loss_vtm', 'loss_mlm', 'loss_wpa', 'acc_vtm', 'acc_mlm'
    }


def test_source_loss_weights_scale_losses_not_accuracies():
    base = losses_of(build(), multi_batch())
    half = losses_of(build(source_loss_weights=dict(image=0.5)), multi_batch())
    for k in ('loss_vtm', 'loss_mlm', 'loss_wpa'):
        torch.testing.assert_close(half[f'image/{k}'],
                                   0.5 * base[f'image/{k}'])
        torch.testing.assert_close(half[f'video/{k}'], base[f'video/{k}'])
    torch.testing.assert_close(half['image/acc_mlm'], base['image/acc_mlm'])
    video_only = losses_of(
        build(source_loss_weights=dict(image=0.)), multi_batch())
    assert all(k.startswith('video/') for k in video_only)
    with pytest.raises(ValueError, match='source_loss_weights'):
        build(source_loss_weights=dict(image=-1.))


def _grad_norm(module):
    grads = [
        p.grad.abs().sum() for p in module.parameters() if p.grad is not None
    ]
    return float(sum(grads)) if grads else 0.0


def test_images_use_no_temporal_embedding():
    model = build()
    losses = losses_of(model, dict(image=source_batch(1)))
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert model.backbone.temporal_embed.grad is None or \
        model.backbone.temporal_embed.grad.abs().sum() == 0
    assert _grad_norm(model.backbone.blocks) > 0
    model.zero_grad()
    losses = losses_of(model, dict(video=source_batch(3)))
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert model.backbone.temporal_embed.grad.abs().sum() > 0


def test_separate_heads_switch():
    shared = build()
    separate = build(share_heads=False)
    assert set(separate.source_heads) == {'image'}
    assert set(separate.source_heads['image']) == {'vtm', 'mlm'}
    # backwards compatible: the shared model's keys are a subset, the only
    # new keys are the image heads'
    new = set(separate.state_dict()) - set(shared.state_dict())
    assert new and all(k.startswith('source_heads.image.') for k in new)
    assert set(shared.state_dict()) <= set(separate.state_dict())

    losses = losses_of(separate, multi_batch())
    losses['image/loss_vtm'].backward(retain_graph=True)
    assert _grad_norm(separate.source_heads['image']['vtm']) > 0
    assert _grad_norm(separate.vtm_head) == 0
    separate.zero_grad()
    losses['video/loss_vtm'].backward()
    assert _grad_norm(separate.vtm_head) > 0
    assert _grad_norm(separate.source_heads['image']['vtm']) == 0
    # the two image VTM heads start from different random weights
    assert not torch.equal(separate.vtm_head.fc.weight,
                           separate.source_heads['image']['vtm'].fc.weight)
    tied = build(share_heads=False, tie_mlm_decoder=True)
    words = tied.backbone.text_embeddings.word_embeddings.weight
    assert tied.source_heads['image']['mlm'].decoder.weight is words
    with pytest.raises(ValueError, match='separate_head_sources'):
        build(share_heads=False, separate_head_sources=())


def _sample(imgs, ids):
    return dict(imgs=imgs, input_ids=torch.tensor(ids))


def test_multi_source_preprocessor_per_source_statistics():
    pre = MultiSourceDataPreprocessor(
        mean=(10., 10., 10.),
        std=(2., 2., 2.),
        source_stats=dict(image=dict(mean=[127.5] * 3, std=[127.5] * 3)))
    frames_v = torch.full((3, 3, 4, 4), 14, dtype=torch.uint8)
    frames_i = torch.full((1, 3, 4, 4), 255, dtype=torch.uint8)
    data = dict(
        video=dict(
            inputs=[_sample(frames_v, [1, 2]), _sample(frames_v, [3])],
            data_samples=[ActionDataSample(), ActionDataSample()]),
        image=dict(
            inputs=[_sample(frames_i, [4, 5, 6])],
            data_samples=[ActionDataSample()]))
    out = pre(data, training=True)
    assert set(out['inputs']) == {'video', 'image'}
    v, i = out['inputs']['video'], out['inputs']['image']
    assert v['imgs'].shape == (2, 3, 3, 4, 4)
    assert torch.equal(v['imgs'], torch.full_like(v['imgs'], 2.))
    assert i['imgs'].shape == (1, 1, 3, 4, 4)
    assert torch.equal(i['imgs'], torch.ones_like(i['imgs']))
    assert v['attention_mask'].tolist() == [[1, 1], [1, 0]]
    assert len(out['data_samples']['image']) == 1
    # a single-source batch is processed with the default statistics
    single = pre(data['video'])
    assert torch.equal(single['inputs']['imgs'], v['imgs'])
