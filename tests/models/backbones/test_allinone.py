import pytest
import torch

from mmallinone.models import AllInOnePooler, AllInOneTransformer

TINY = dict(embed_dims=32, num_layers=2, num_heads=2)


def tiny(**kwargs):
    cfg = dict(arch=TINY, img_size=32, patch_size=16, num_frames=3,
               max_text_len=12, vocab_size=120, drop_rate=0.,
               drop_path_rate=0.)
    cfg.update(kwargs)
    model = AllInOneTransformer(**cfg)
    model.init_weights()
    return model.eval()


def text(b=2, lt=6):
    ids = torch.randint(5, 120, (b, lt))
    ids[:, 0] = 101 % 120
    mask = torch.ones(b, lt, dtype=torch.long)
    if b > 1:  # second sample padded after 4 tokens
        mask[1, 4:] = 0
        ids[1, 4:] = 0
    return ids, mask


@pytest.mark.parametrize('arch,expected', [('tiny', 11.43), ('small', 33.55),
                                           ('base', 109.87)])
def test_parameter_counts_match_paper(arch, expected):
    """Embeddings + ViT blocks + pooler: Ti ~12M, S ~33M, B ~110M."""
    model = AllInOneTransformer(arch=arch)
    pooler = AllInOnePooler(model.embed_dims)
    n = sum(p.numel() for p in model.parameters()) + sum(
        p.numel() for p in pooler.parameters())
    assert abs(n / 1e6 - expected) < 0.01, n


def test_keeps_timm_and_bert_key_names():
    keys = set(tiny().state_dict())
    for k in ('patch_embed.proj.weight', 'pos_embed', 'cls_token',
              'temporal_embed', 'blocks.0.norm1.weight',
              'blocks.0.attn.qkv.weight', 'blocks.1.mlp.fc2.bias',
              'norm.weight', 'token_type_embeddings.weight',
              'text_embeddings.word_embeddings.weight',
              'text_embeddings.position_embeddings.weight',
              'text_embeddings.LayerNorm.weight'):
        assert k in keys, k
    assert not any('ttr' in k for k in keys)  # TTR has no parameters


def test_joint_video_text_shapes():
    model = tiny()
    imgs = torch.randn(2, 3, 3, 32, 32)
    ids, mask = text()
    joint = model(imgs, ids, mask)
    assert joint['text_feats'].shape == (2, 6, 32)
    assert joint['video_feats'].shape == (2, 5, 32)  # CLS + 2x2 patches
    assert torch.equal(joint['cls_token'], joint['text_feats'][:, 0])
    video = model(imgs=imgs)
    assert set(video) == {'video_feats', 'cls_token'}
    assert video['video_feats'].shape == (2, 5, 32)
    txt = model(input_ids=ids, attention_mask=mask)
    assert set(txt) == {'text_feats', 'cls_token'}
    assert txt['text_feats'].shape == (2, 6, 32)
    with pytest.raises(ValueError):
        model()


def test_text_only_equals_per_frame_computation_averaged():
    """The authors run the text S times and average; we run it once."""
    model = tiny()
    ids, mask = text()
    s = 3
    once = model.forward_text(ids, mask)
    x = model.embed_text(ids).repeat_interleave(s, 0)
    m = mask.bool().repeat_interleave(s, 0)
    per_frame = model._run_blocks(x, m).view(2, s, 6, -1).mean(1)
    torch.testing.assert_close(once, per_frame, atol=1e-6, rtol=1e-5)


def test_padding_tokens_do_not_leak():
    model = tiny()
    ids, mask = text()
    out1 = model.forward_text(ids, mask)
    ids2 = ids.clone()
    ids2[1, 4:] = 7  # change padded positions only
    out2 = model.forward_text(ids2, mask)
    torch.testing.assert_close(out1[1, :4], out2[1, :4])


def test_rolling_mixes_frames_and_modes_differ():
    torch.manual_seed(0)
    imgs = torch.randn(1, 3, 3, 64, 64)  # 17 visual tokens: 2 roll each way
    ids, mask = text(1)
    outs = {}
    for mode in ('rolling', 'none', 'flatten'):
        torch.manual_seed(1)
        model = tiny(temporal_mode=mode)
        outs[mode] = model(imgs, ids, mask)['text_feats']
        assert outs[mode].shape == (1, 6, 32)
    assert not torch.allclose(outs['rolling'], outs['none'])
    assert not torch.allclose(outs['flatten'], outs['none'])
    # without rolling, frame t's output depends on frame t only: changing
    # frame 2 leaves frame 0's tokens as they were, with rolling it does not
    for mode, same in (('none', True), ('rolling', False)):
        torch.manual_seed(1)
        model = tiny(temporal_mode=mode)
        imgs2 = imgs.clone()
        imgs2[:, 2] += 1
        f0 = []
        for x in (imgs, imgs2):
            t = model.embed_text(ids).repeat_interleave(3, 0)
            v = model.embed_video(x)
            seq = torch.cat([t, v], 1)
            m = torch.ones(seq.shape[:2], dtype=torch.bool)
            start = 6 if mode == 'rolling' else None
            f0.append(model._run_blocks(seq, m, 3, start)[0])
        assert torch.allclose(f0[0], f0[1]) == same, mode


def test_video_only_does_not_roll_unless_asked():
    imgs = torch.randn(1, 3, 3, 64, 64)  # 17 visual tokens: 2 roll each way
    torch.manual_seed(1)
    a = tiny()(imgs=imgs)['video_feats']
    torch.manual_seed(1)
    b = tiny(temporal_mode='none')(imgs=imgs)['video_feats']
    torch.manual_seed(1)
    c = tiny(roll_video_only=True)(imgs=imgs)['video_feats']
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, c)


@pytest.mark.parametrize('size,frames', [((48, 64), 3), ((32, 32), 5),
                                         ((16, 128), 2), ((32, 32), 1)])
def test_any_image_size_and_frame_count(size, frames):
    model = tiny()
    imgs = torch.randn(2, frames, 3, *size)
    ids, mask = text()
    out = model(imgs, ids, mask)
    n_patches = (size[0] // 16) * (size[1] // 16)
    assert out['video_feats'].shape == (2, 1 + n_patches, 32)
    assert torch.isfinite(out['text_feats']).all()


def test_embeddings_interpolate():
    model = tiny()
    with torch.no_grad():
        model.temporal_embed.copy_(
            torch.tensor([0., 1., 2.])[None, :, None].expand(1, 3, 32))
    from mmallinone.models.layers import resize_temporal_embed
    five = resize_temporal_embed(model.temporal_embed, 5)
    torch.testing.assert_close(five[0, :, 0],
                               torch.tensor([0., .5, 1., 1.5, 2.]))
    from mmallinone.models.layers import resize_pos_embed
    pos = resize_pos_embed(model.pos_embed, (2, 2), (3, 4))
    assert pos.shape == (1, 13, 32)
    torch.testing.assert_close(pos[:, 0], model.pos_embed[:, 0])  # CLS kept


def test_text_longer_than_position_table_is_a_clear_error():
    model = tiny()
    with pytest.raises(ValueError, match='position table'):
        model(input_ids=torch.ones(1, 13, dtype=torch.long))


def test_patch_order_reference_shuffle_is_seeded_and_raster_is_default():
    imgs = torch.randn(1, 3, 3, 64, 64)
    ids, mask = text(1)
    torch.manual_seed(2)
    raster = tiny()
    torch.manual_seed(2)
    shuffled = tiny(patch_order='reference_shuffle')
    a = raster(imgs, ids, mask)['text_feats']
    torch.manual_seed(5)
    b1 = shuffled(imgs, ids, mask)['text_feats']
    torch.manual_seed(5)
    b2 = shuffled(imgs, ids, mask)['text_feats']
    torch.testing.assert_close(b1, b2)
    assert torch.equal(a, raster(imgs, ids, mask)['text_feats'])
    assert not torch.allclose(a, b1)


@pytest.mark.parametrize('kwargs,exc,match', [
    (dict(arch='huge'), KeyError, 'tiny'),
    (dict(arch=dict(embed_dims=8)), ValueError, 'num_layers'),
    (dict(temporal_mode='3d'), ValueError, 'flatten'),
    (dict(ttr_cfg=dict(type='TemporalTokenRoll', strategy='x')), ValueError,
     'channel_shift'),
    (dict(patch_order='zigzag'), ValueError, 'reference_shuffle'),
])
def test_bad_configs_name_valid_choices(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        tiny(**kwargs)


def test_timm_vit_weights_load_without_key_mapping():
    """Dependency trap 10: keeping timm's names lets ViT/DeiT weights load."""
    import timm
    vit = timm.create_model(
        'vit_tiny_patch16_224', pretrained=False, num_classes=0,
        img_size=32)
    ours = AllInOneTransformer(arch='tiny', img_size=32)
    theirs = {k: v for k, v in vit.state_dict().items()
              if not k.startswith(('head', 'fc_norm'))}
    missing, unexpected = ours.load_state_dict(theirs, strict=False)
    assert unexpected == []
    assert all(k.startswith(('text_embeddings', 'token_type_embeddings',
                             'temporal_embed')) for k in missing), missing
    torch.testing.assert_close(ours.blocks[3].attn.qkv.weight,
                               vit.blocks[3].attn.qkv.weight)
    # same block maths: one block on the same tokens gives the same output
    ours.eval(), vit.eval()
    x = torch.randn(2, 5, 192)
    torch.testing.assert_close(ours.blocks[0](x), vit.blocks[0](x))
