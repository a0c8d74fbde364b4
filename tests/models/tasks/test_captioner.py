"""AllInOneCaptioner: seq2seq mask, teacher forcing, cached decoding."""
import pytest
import torch

import mmallinone  # noqa: F401
from mmallinone.registry import MODELS

TINY = dict(embed_dims=32, num_layers=2, num_heads=2)


def _model(temporal_mode='rolling', **kwargs):
    torch.manual_seed(0)
    cfg = dict(
        type='AllInOneCaptioner',
        backbone=dict(type='AllInOneTransformer', arch=TINY, img_size=32,
                      patch_size=16, num_frames=2, max_text_len=12,
                      drop_rate=0.0, drop_path_rate=0.0,
                      temporal_mode=temporal_mode,
                      ttr_cfg=dict(type='TemporalTokenRoll', n_div=2)),
        mlm_head=dict(type='MLMHead'),
        decode_cfg=dict(max_len=8, min_len=1))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.eval()


def _clips(b=2, s=2):
    torch.manual_seed(1)
    return torch.randn(b, s, 3, 32, 32)


@pytest.mark.parametrize('mode', ['rolling', 'flatten'])
def test_caption_token_cannot_see_later_tokens(mode):
    model = _model(mode)
    imgs = _clips()
    ids = torch.tensor([[101, 2048, 2273, 2652, 102, 0],
                        [101, 1037, 2158, 102, 0, 0]])
    mask = (ids != 0).long()
    feats = model.caption_feats(imgs, ids, mask)
    changed = ids.clone()
    changed[:, 3] = 4937  # a later token
    feats2 = model.caption_feats(imgs, changed, mask)
    # positions before 3 are unchanged, position 3 itself changes
    torch.testing.assert_close(feats[:, :3], feats2[:, :3])
    assert not torch.allclose(feats[:, 3], feats2[:, 3])
    # without the seq2seq mask the earlier positions do see it
    full, _ = model.backbone.forward_joint(imgs, ids, mask)
    full2, _ = model.backbone.forward_joint(imgs, changed, mask)
    assert not torch.allclose(full[:, :3], full2[:, :3])


def test_seq2seq_mask_layout():
    from mmallinone.models.backbones import AllInOneTransformer
    key = torch.tensor([[1, 1, 0, 1, 1]], dtype=torch.bool)  # Lt=3, Lv=2
    causal = torch.ones(3, 3, dtype=torch.bool).tril()
    full = AllInOneTransformer.seq2seq_mask(key, 3, causal)[0]
    expected = torch.tensor([[1, 0, 0, 1, 1],
                             [1, 1, 0, 1, 1],
                             [1, 1, 0, 1, 1],   # padded key 2 never seen
                             [0, 0, 0, 1, 1],   # video sees video only
                             [0, 0, 0, 1, 1]], dtype=torch.bool)
    assert torch.equal(full, expected)


def test_video_features_do_not_depend_on_text():
    model = _model()
    imgs = _clips()
    causal = model.causal_mask(4, imgs.device)
    _, v1 = model.backbone.forward_joint(
        imgs, torch.tensor([[101, 2048, 2273, 102]] * 2),
        text_attn_mask=causal)
    _, v2 = model.backbone.forward_joint(
        imgs, torch.tensor([[101, 1037, 4937, 102]] * 2),
        text_attn_mask=causal)
    torch.testing.assert_close(v1, v2)


def test_loss_teacher_forcing_and_backward():
    model = _model(label_smoothing=0.1).train()
    imgs = _clips()
    ids = torch.tensor([[101, 2048, 2273, 102], [101, 1037, 102, 0]])
    out = model.loss(dict(imgs=imgs, input_ids=ids,
                          attention_mask=(ids != 0).long()))
    assert set(out) == {'loss_caption', 'acc_caption'}
    assert out['loss_caption'] > 0
    out['loss_caption'].backward()
    assert model.mlm_head.decoder.weight.grad is not None
    assert model.backbone.blocks[0].attn.qkv.weight.grad.abs().sum() > 0


@pytest.mark.parametrize('mode', ['rolling', 'none', 'flatten'])
def test_cached_step_features_match_uncached(mode):
    model = _model(mode)
    imgs = _clips()
    dec = model.decoder
    state = dec.start(imgs)
    ids = torch.tensor([[101], [101]])
    for tok in ([2048, 1037], [2273, 2158], [2652, 4937]):
        cached = dec.step(state, ids)
        ref = dec.uncached_step(imgs, ids)
        torch.testing.assert_close(cached, ref, atol=1e-5, rtol=1e-4)
        ids = torch.cat([ids, torch.tensor(tok)[:, None]], 1)
    with pytest.raises(ValueError, match='cache holds'):
        dec.step(state, ids[:, :2])


@pytest.mark.parametrize('strategy,overrides', [
    ('greedy', {}),
    ('beam', dict(beam_size=3, length_penalty=1.0)),
    ('beam', dict(beam_size=2, no_repeat_ngram_size=2,
                  repetition_penalty=1.5, min_len=3)),
])
def test_cached_and_uncached_decoding_give_identical_tokens(strategy,
                                                            overrides):
    model = _model()
    imgs = _clips(b=3)
    a = model.generate(imgs, use_cache=True, strategy=strategy, **overrides)
    b = model.generate(imgs, use_cache=False, strategy=strategy,
                       **overrides)
    assert a['tokens'] == b['tokens']
    assert a['scores'] == pytest.approx(b['scores'], abs=1e-4)
    assert all(1 <= len(t) <= 8 for t in a['tokens'])
    assert all(isinstance(c, str) for c in a['captions'])
    if overrides.get('min_len'):
        assert all(len(t) >= overrides['min_len'] for t in a['tokens'])


def test_predict_writes_captions():
    model = _model(decode_cfg=dict(strategy='greedy', max_len=4))
    imgs = _clips()
    samples = model.predict(dict(imgs=imgs))
    assert len(samples) == 2
    for ds in samples:
        assert isinstance(ds.pred_caption, str)
        assert len(ds.pred_tokens) <= 4


def test_decode_max_len_must_fit_positions():
    with pytest.raises(ValueError, match='max_text_len'):
        _model(decode_cfg=dict(max_len=12))
