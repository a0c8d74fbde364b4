"""Retrieval model and contrastive loss."""
import math

import pytest
import torch
from mmaction.structures import ActionDataSample

from mmallinone.models import AllInOneRetrieval, VideoTextContrastiveLoss
from mmallinone.structures import TEXT_FIELDS, pack_token_ids

BACKBONE = dict(
    type='AllInOneTransformer',
    arch=dict(embed_dims=32, num_layers=2, num_heads=2),
    img_size=32, patch_size=16, num_frames=2, max_text_len=12,
    vocab_size=200, drop_rate=0., drop_path_rate=0.)


def build(**kwargs):
    cfg = dict(backbone=BACKBONE, embed_dims=16, num_vtm_negatives=2)
    cfg.update(kwargs)
    model = AllInOneRetrieval(**cfg)
    model.init_weights()
    return model


def train_batch(b=4, video_ids=None):
    torch.manual_seed(0)
    ids = torch.randint(5, 200, (b, 6))
    ids[:, 0] = 101
    inputs = dict(imgs=torch.randn(b, 2, 3, 32, 32), input_ids=ids,
                  attention_mask=torch.ones(b, 6, dtype=torch.long))
    video_ids = video_ids or [f'v{i}' for i in range(b)]
    samples = [ActionDataSample(metainfo=dict(video_id=v)) for v in video_ids]
    return inputs, samples


def test_contrastive_loss_hand_value_and_temperature():
    t = torch.tensor([[1., 0.], [0., 1.]])
    loss = VideoTextContrastiveLoss(temperature=1.0)(t, t.clone())
    # each direction: -log(e / (e + 1)), summed over the two directions
    assert loss.item() == pytest.approx(2 * math.log(1 + math.exp(-1)))
    sharp = VideoTextContrastiveLoss(temperature=0.05)(t, t.clone())
    assert sharp.item() < loss.item()
    learn = VideoTextContrastiveLoss(learnable_temperature=True)
    assert isinstance(learn.log_scale, torch.nn.Parameter)
    assert learn.temperature.item() == pytest.approx(0.05)
    assert not any(True for _ in VideoTextContrastiveLoss().parameters())


def test_loss_keys_backpropagate_into_projections_and_vtm_head():
    model = build()
    losses = model(*train_batch(), mode='loss')
    assert set(losses) == {'loss_itc', 'loss_vtm', 'acc_vtm'}
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    for p in (model.text_proj.weight, model.video_proj.weight,
              model.vtm_head.fc.weight):
        assert p.grad is not None and p.grad.abs().sum() > 0


def test_zero_weight_skips_joint_path():
    model = build(loss_weights=dict(vtm=0.0))
    calls = []
    model.backbone.forward_joint = lambda *a, **k: calls.append(1)
    losses = model(*train_batch(), mode='loss')
    assert set(losses) == {'loss_itc'} and not calls


def test_hard_negatives_are_most_similar_other_videos():
    model = build(vtm_negatives='hard', num_vtm_negatives=1)
    video = torch.eye(4)
    text = torch.tensor([[1., 0, 0, 0], [0, 1., .3, 0], [1., .1, 0, .4],
                         [.5, .9, 0, 0]])
    # scores[i, j] = video_i . text_j; samples 0 and 2 show the same video
    # 'a', so they are never negatives of each other
    neg, n = model.select_negatives(text, video, ['a', 'b', 'a', 'c'])
    assert n == 1
    assert neg[:, 0].tolist() == [3, 3, 1, 2]
    random = build(num_vtm_negatives=5)
    neg, n = random.select_negatives(text, video, ['a', 'b', 'a', 'c'])
    assert n == 2  # at most the valid negatives of the worst-off sample
    for i, row in enumerate(neg.tolist()):
        assert i not in row
    assert 2 not in neg[0].tolist() and 0 not in neg[2].tolist()


def test_predict_encodes_each_video_and_text_exactly_once():
    model = build().eval()
    calls = dict(video=[], text=[], joint=0)
    fv, ft = model.backbone.forward_video, model.backbone.forward_text

    def video(imgs):
        calls['video'].append(imgs.shape[0])
        return fv(imgs)

    def text(ids, mask=None):
        calls['text'].append(ids.shape[0])
        return ft(ids, mask)

    def joint(*args, **kwargs):
        calls['joint'] += 1
        raise AssertionError('joint path used in two-stream inference')

    model.backbone.forward_video = video
    model.backbone.forward_text = text
    model.backbone.forward_joint = joint
    views, frames = 2, 2
    field = TEXT_FIELDS['caption_ids']
    data = dict(
        inputs=[
            dict(imgs=torch.randint(0, 255, (views, frames, 3, 32, 32),
                                    dtype=torch.uint8),
                 caption_ids=pack_token_ids(
                     [[101, 7 + j] + [8] * j + [102] for j in range(k)],
                     field)) for k in (2, 1, 3)  # captions per video
        ],
        data_samples=[ActionDataSample() for _ in range(3)])
    with torch.no_grad():
        out = model.test_step(data)
    # one call each: 3 videos x 2 views and 2 + 1 + 3 captions
    assert calls == dict(video=[6], text=[6], joint=0)
    assert [tuple(ds.pred_video_embeds.shape) for ds in out] == [(2, 16)] * 3
    assert [ds.pred_text_embeds.shape[0] for ds in out] == [2, 1, 3]
    assert torch.allclose(out[2].pred_text_embeds.norm(dim=-1),
                          torch.ones(3))
    # the padded (missing) caption rows of videos 0 and 1 are not encoded:
    # each video's embeddings equal those of a batch of that video alone
    with torch.no_grad():
        alone = model.test_step(dict(inputs=data['inputs'][1:2],
                                     data_samples=[ActionDataSample()]))
    assert torch.allclose(alone[0].pred_text_embeds, out[1].pred_text_embeds,
                          atol=1e-5)


def test_match_scores_are_match_logits_of_pretraining_head():
    model = build().eval()
    inputs, _ = train_batch(2)
    with torch.no_grad():
        s = model.match_scores(inputs['imgs'][:1], inputs['input_ids'],
                                   inputs['attention_mask'])
        pooled = model.joint_pooled(inputs['imgs'][:1].expand(2, -1, -1, -1,
                                                               -1),
                                    inputs['input_ids'],
                                    inputs['attention_mask'])
    assert torch.allclose(s, model.vtm_head(pooled)[:, 1])
    assert 'vtm_head.fc.weight' in model.state_dict()


def test_invalid_options():
    with pytest.raises(ValueError):
        build(vtm_negatives='semi')
    with pytest.raises(ValueError, match='loss_weights'):
        build(loss_weights=dict(mlm=1.0))


def test_tensor_mode_takes_a_single_view_batch():
    """Only predict keeps the view axis; 'tensor' gets (B, S, 3, H, W)."""
    model = build().eval()
    imgs = torch.randn(2, 1, 2, 3, 32, 32)  # (B, V=1, S, 3, H, W)
    with torch.no_grad():
        feats = model(dict(imgs=imgs), mode='tensor')
        ref = model(dict(imgs=imgs[:, 0]), mode='tensor')
    assert torch.equal(feats['cls_token'], ref['cls_token'])
    with pytest.raises(ValueError, match='one view per video'):
        model(dict(imgs=torch.randn(2, 2, 2, 3, 32, 32)), mode='tensor')
