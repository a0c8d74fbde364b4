"""Key mapping round trips, ImageNet ViT initialisation and inflation."""
import sys
import types

import pytest
import torch
import torch.nn.functional as F

from mmallinone.checkpoint import (convert_allinone_to_mmallinone,
                                   convert_mmallinone_to_allinone,
                                   convert_vit_to_mmallinone,
                                   load_from_local_safe)
from mmallinone.models import AllInOnePretrainer, AllInOneTransformer
from .reference_allinone import plain_vit_tokens
from .release_fixtures import release_state_dict

TINY = dict(embed_dims=32, num_layers=2, num_heads=2)


def tiny_pretrainer(init_cfg=None, **backbone):
    cfg = dict(type='AllInOneTransformer', arch=TINY, img_size=64,
               max_text_len=12, vocab_size=120, drop_rate=0.,
               drop_path_rate=0.)
    cfg.update(backbone)
    model = AllInOnePretrainer(
        backbone=cfg, mlm_head=dict(type='MLMHead', vocab_size=120),
        wpa_loss=None, loss_weights=dict(wpa=0.), init_cfg=init_cfg)
    model.init_weights()
    return model.eval()


def test_round_trip_ours_released_ours_is_identity():
    ours = tiny_pretrainer().state_dict()
    released, report = convert_mmallinone_to_allinone(ours)
    assert not report.unmapped
    assert 'transformer.blocks.1.mlp.fc2.weight' in released
    assert 'itm_score.fc.weight' in released
    back, report = convert_allinone_to_mmallinone(released)
    assert not report.unmapped
    assert list(back) == list(ours)
    for k in ours:
        assert torch.equal(back[k], ours[k]), k


def test_release_heads_and_dropped_keys():
    release = release_state_dict(extra_heads=True)
    release = {'module.' + k: v for k, v in release.items()}
    out, report = convert_allinone_to_mmallinone(dict(state_dict=release))
    assert out['vqa_head.classifier.4.weight'].shape == (7, 16)
    assert out['text_proj.weight'].shape == (512, 32)
    assert 'video_proj.bias' in out
    assert report.unmapped == ['vcop_classifier.fc7.weight']
    dropped = dict(report.dropped)
    assert 'text_embeddings.position_ids' in dropped
    assert 'rank_output.weight' in dropped
    assert 'train_vqa_score.score' in dropped
    # rank_output equals the ITM match row: nothing folded
    assert not any('rank_output differs' in n for n in report.notes)
    # ...and the inverse writes it as a copy, not a view
    back, _ = convert_mmallinone_to_allinone(out, with_rank_output=True)
    assert torch.equal(back['rank_output.weight'],
                       out['vtm_head.fc.weight'][1:])
    assert back['rank_output.weight'].data_ptr() != \
        back['itm_score.fc.weight'].data_ptr()


def test_cotraining_names_and_diverged_rank_output():
    release = release_state_dict(extra_heads=True)
    release['rank_output.weight'] = release['rank_output.weight'] + 1
    release['vtm_score.fc.weight'] = release.pop('itm_score.fc.weight')
    release['vtm_score.fc.bias'] = release.pop('itm_score.fc.bias')
    release = {('student.' + k[len('transformer.'):]
                if k.startswith('transformer.') else k): v
               for k, v in release.items()}
    release['teacher.cls_token'] = torch.zeros(1)
    out, report = convert_allinone_to_mmallinone(release)
    assert 'backbone.cls_token' in out
    assert not any(k.startswith('teacher') for k in out)
    assert torch.equal(out['vtm_head.fc.weight'][1:],
                       release['rank_output.weight'])
    assert any('rank_output differs' in n for n in report.notes)


def randomize(module, seed=0):
    g = torch.Generator().manual_seed(seed)
    for p in module.parameters():
        p.data = torch.randn(p.shape, generator=g) * 0.1 + (
            1.0 if p.dim() == 1 and p.shape[0] == 32 else 0.0)
    return module


def backbone_from_vit(state_dict, img_size=64, **kwargs):
    model = AllInOneTransformer(
        arch=kwargs.pop('arch', TINY), img_size=img_size, patch_size=16,
        num_frames=3, max_text_len=12, vocab_size=120, drop_rate=0.,
        drop_path_rate=0., **kwargs).eval()
    model.init_weights()
    converted, report = convert_vit_to_mmallinone(state_dict, prefix='')
    missing, unexpected = model.load_state_dict(converted, strict=False)
    assert not unexpected
    assert all(k.startswith(('text_embeddings', 'token_type')) for k in
               missing), missing
    # a plain ViT has no modality embedding
    model.token_type_embeddings.weight.data.zero_()
    return model, converted, report


def test_timm_vit_patch_tokens_match_plain_vit():
    timm = pytest.importorskip('timm')
    vit = timm.create_model('vit_tiny_patch16_224', pretrained=False,
                            img_size=64, depth=2, num_classes=10).eval()
    sd = vit.state_dict()
    model, converted, report = backbone_from_vit(
        sd, arch=dict(embed_dims=192, num_layers=2, num_heads=3))
    assert ('head.weight', 'classifier head') in report.dropped
    assert torch.equal(model.temporal_embed, torch.zeros(1, 3, 192))
    frame = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ours = model.forward_video(frame[:, None])
        ref = plain_vit_tokens(converted, frame, num_heads=3)
        timm_out = vit.forward_features(frame)
    assert (ours[:, 1:] - ref[:, 1:]).abs().max() < 1e-5
    assert (ours - timm_out).abs().max() < 1e-5


def test_mmpretrain_vit_patch_tokens_match_plain_vit():
    mmpretrain_models = pytest.importorskip('mmpretrain.models')
    vit = mmpretrain_models.VisionTransformer(
        arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                  feedforward_channels=128),
        img_size=64, patch_size=16, out_type='raw')
    vit.eval()
    randomize(vit)
    sd = {'backbone.' + k: v for k, v in vit.state_dict().items()}
    sd['head.layers.head.weight'] = torch.zeros(10, 32)
    model, converted, report = backbone_from_vit(sd)
    assert 'source layout: mmpretrain' in report.notes
    frame = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ours = model.forward_video(frame[:, None])
        ref = plain_vit_tokens(converted, frame, num_heads=2)
        mmp = vit(frame)[-1]  # (1, 1 + 16, 32) raw tokens after ln1
    assert (ours[:, 1:] - ref[:, 1:]).abs().max() < 1e-5
    assert (ours - mmp).abs().max() < 1e-5


def test_pos_embed_inflated_bicubic_with_cls_kept():
    timm = pytest.importorskip('timm')
    vit = timm.create_model('vit_tiny_patch16_224', pretrained=False,
                            img_size=96, depth=1, num_classes=0)
    sd = vit.state_dict()
    model, converted, _ = backbone_from_vit(
        sd, img_size=64, arch=dict(embed_dims=192, num_layers=1,
                                   num_heads=3))
    src = sd['pos_embed']  # (1, 1 + 36, C) -> (1, 1 + 16, C)
    grid = src[:, 1:].reshape(1, 6, 6, -1).permute(0, 3, 1, 2)
    expected = F.interpolate(grid, size=(4, 4), mode='bicubic',
                             align_corners=False).flatten(2).transpose(1, 2)
    assert torch.equal(model.pos_embed[:, :1], src[:, :1])
    assert (model.pos_embed[:, 1:] - expected).abs().max() < 1e-6


@pytest.mark.parametrize('mode,frames', [('pad', 5), ('pad', 2),
                                         ('interpolate', 5)])
def test_temporal_and_text_tables_fitted(mode, frames, caplog):
    release = release_state_dict(num_frames=3, text_len=12)
    state_dict, _ = convert_allinone_to_mmallinone(release)
    model = tiny_pretrainer(num_frames=frames, max_text_len=16,
                            temporal_inflation=mode)
    model.load_state_dict(state_dict, strict=True)
    src = release['transformer.temporal_embed']
    got = model.backbone.temporal_embed
    if mode == 'pad' and frames > 3:
        assert torch.equal(got[:, :3], src)
        assert torch.equal(got[:, 3:], torch.zeros(1, 2, 32))
    elif mode == 'pad':
        assert torch.equal(got, src[:, :frames])
    else:
        assert torch.allclose(got[:, 0], src[:, 0])
        assert torch.allclose(got[:, -1], src[:, -1])
        assert torch.allclose(got[:, 2], src[:, 1])  # 5 points over 3
    text = model.backbone.text_embeddings.position_embeddings.weight
    table = release['text_embeddings.position_embeddings.weight']
    assert torch.equal(text[:12], table)
    assert torch.equal(text[12:], table[-1:].expand(4, -1))


def _save_lightning_ckpt(path, state_dict):
    """torch.save a PL-1.1-like dict whose hparams / callbacks reference
    pytorch_lightning and sacred classes (fake modules, removed after)."""
    names = ['pytorch_lightning', 'pytorch_lightning.utilities',
             'pytorch_lightning.utilities.parsing',
             'pytorch_lightning.callbacks',
             'pytorch_lightning.callbacks.model_checkpoint', 'sacred',
             'sacred.config', 'sacred.config.custom_containers']
    mods = {n: types.ModuleType(n) for n in names}

    class AttributeDict(dict):
        pass

    class ModelCheckpoint:
        pass

    class ReadOnlyDict(dict):

        def __reduce__(self):
            return ReadOnlyDict, (dict(self), )

    for cls, mod in ((AttributeDict, 'pytorch_lightning.utilities.parsing'),
                     (ModelCheckpoint,
                      'pytorch_lightning.callbacks.model_checkpoint'),
                     (ReadOnlyDict, 'sacred.config.custom_containers')):
        cls.__module__, cls.__qualname__ = mod, cls.__name__
        setattr(mods[mod], cls.__name__, cls)
    sys.modules.update(mods)
    try:
        config = ReadOnlyDict(vit='vit_deit_tiny_patch16_224', num_frames=3,
                              loss_names=ReadOnlyDict(itm=1, mlm=1))
        torch.save(
            {
                'epoch': 9, 'global_step': 100,
                'pytorch-lightning_version': '1.1.4',
                'state_dict': state_dict,
                'callbacks': {ModelCheckpoint: {'best_model_score':
                                                torch.tensor(0.5)}},
                'hyper_parameters': AttributeDict(config=config),
            }, path)
    finally:
        for n in names:
            sys.modules.pop(n, None)


def test_lightning_ckpt_loads_weights_only_and_converts(tmp_path):
    path = str(tmp_path / 'all-in-one-tiny.ckpt')
    release = release_state_dict()
    _save_lightning_ckpt(path, release)
    with pytest.raises(Exception):
        torch.load(path, weights_only=True)
    checkpoint = load_from_local_safe(path, map_location='cpu')
    assert checkpoint['meta']['converted_from'] == 'allinone_release'
    assert checkpoint['meta']['allinone_config']['num_frames'] == 3
    assert checkpoint['meta']['suggested_backbone']['num_frames'] == 3
    model = tiny_pretrainer()
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    assert torch.equal(model.backbone.blocks[1].attn.qkv.weight,
                       release['transformer.blocks.1.attn.qkv.weight'])


def test_untrusted_foreign_globals_still_refused(tmp_path):
    path = str(tmp_path / 'evil.ckpt')
    torch.save({'state_dict': release_state_dict(),
                'x': types.SimpleNamespace(a=1)}, path)
    with pytest.raises(Exception, match='refuses|trust'):
        load_from_local_safe(path)


def test_init_cfg_pretrained_loads_release(tmp_path):
    path = str(tmp_path / 'release.ckpt')
    release = release_state_dict(num_frames=None)
    torch.save({'state_dict': release}, path)
    model = tiny_pretrainer(init_cfg=dict(type='Pretrained', checkpoint=path))
    assert torch.equal(model.pooler.dense.weight,
                       release['pooler.dense.weight'])
    assert torch.equal(model.backbone.temporal_embed, torch.zeros(1, 3, 32))
    backbone = AllInOneTransformer(
        arch=TINY, img_size=64, max_text_len=12, vocab_size=120,
        init_cfg=dict(type='Pretrained', checkpoint=path,
                      prefix='backbone.'))
    backbone.init_weights()
    assert torch.equal(backbone.norm.weight,
                       release['transformer.norm.weight'])
