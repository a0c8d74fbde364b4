"""AllInOneVideoBackbone: mmaction2 registry access, NCTHW input, freezing."""
import pytest
import torch
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401
from mmallinone.models import AllInOneTransformer, AllInOneVideoBackbone

# These tests switch MMEngine's default scope to 'mmaction'.
pytestmark = pytest.mark.usefixtures('restore_default_scope')

ARCH = dict(embed_dims=32, num_layers=2, num_heads=2)
KW = dict(arch=ARCH, img_size=32, num_frames=3, drop_path_rate=0.0)


def _clips(n=2, t=3):
    torch.manual_seed(1)
    return torch.randn(n, 3, t, 32, 32)


def test_built_by_mmaction_recognizer3d():
    """An mmaction-scope config names the backbone with the scope prefix."""
    init_default_scope('mmaction')
    from mmaction.registry import MODELS
    model = MODELS.build(
        dict(
            type='Recognizer3D',
            backbone=dict(type='mmallinone.AllInOneVideoBackbone',
                          frozen=True, **KW),
            cls_head=dict(type='I3DHead', in_channels=32, num_classes=5,
                          spatial_type=None, dropout_ratio=0.0,
                          average_clips='prob'),
            data_preprocessor=dict(
                type='ActionDataPreprocessor', format_shape='NCTHW',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375])))
    assert type(model.backbone) is AllInOneVideoBackbone
    # the roll layer was built from mmallinone's registry despite the scope
    assert model.backbone.ttr is not None
    model.init_weights()
    model.train()
    assert not model.backbone.training and model.cls_head.training
    # (N, num_clips, C, T, H, W) as the data preprocessor stacks them
    feats, _ = model.extract_feat(_clips()[:, None])
    assert feats.shape == (2, 32)
    scores = model.cls_head(feats)
    assert scores.shape == (2, 5)


@pytest.mark.parametrize('out_type', ['cls', 'mean'])
def test_features_match_video_only_path(out_type):
    init_default_scope('mmallinone')
    backbone = AllInOneVideoBackbone(out_type=out_type, drop_rate=0.0, **KW)
    backbone.init_weights()
    ref = AllInOneTransformer(drop_rate=0.0, **KW)
    missing, unexpected = ref.load_state_dict(backbone.state_dict(),
                                              strict=False)
    assert all(k.startswith('text_embeddings') for k in missing)
    assert not unexpected
    backbone.eval()
    ref.eval()
    clips = _clips()
    out = backbone(clips)
    video = ref.forward_video(clips.transpose(1, 2))  # (N, 1 + P, C)
    expected = video[:, 0] if out_type == 'cls' else video[:, 1:].mean(1)
    assert out.shape == (2, 32)
    torch.testing.assert_close(out, expected)
    if out_type == 'mean':  # not the CLS token
        assert not torch.allclose(out, video[:, 0])


def test_frozen_no_grad_eval_mode_and_deterministic():
    init_default_scope('mmallinone')
    frozen = AllInOneVideoBackbone(frozen=True, drop_rate=0.5, **KW)
    assert not any(p.requires_grad for p in frozen.parameters())
    frozen.train()
    assert not any(m.training for m in frozen.modules())
    clips = _clips().requires_grad_(True)
    a, b = frozen(clips), frozen(clips)
    torch.testing.assert_close(a, b)  # no dropout in "training"
    assert not a.requires_grad  # no graph through the frozen backbone

    free = AllInOneVideoBackbone(frozen=False, drop_rate=0.5, **KW)
    free.train()
    assert free.training
    assert all(p.requires_grad for p in free.parameters())
    x, y = free(clips), free(clips)
    assert not torch.allclose(x, y)  # dropout active when fine-tuning
    x.sum().backward()
    assert free.blocks[0].attn.qkv.weight.grad is not None
    assert free.temporal_embed.grad is not None


def test_eight_frames_and_three_frame_checkpoint(tmp_path):
    """8-frame clips on a 3-frame table; a 3-frame checkpoint is fitted."""
    init_default_scope('mmallinone')
    src = AllInOneTransformer(**KW)
    src.init_weights()
    with torch.no_grad():
        src.temporal_embed.normal_()
    path = tmp_path / 'pre.pth'
    state = {f'backbone.{k}': v for k, v in src.state_dict().items()}
    state['vtm_head.fc.weight'] = torch.zeros(2, 32)
    torch.save(dict(state_dict=state), path)

    three = AllInOneVideoBackbone(**KW)
    assert three(_clips(t=8)).shape == (2, 32)  # table resized at run time

    kw8 = dict(KW, num_frames=8)
    eight = AllInOneVideoBackbone(pretrained=str(path), frozen=True, **kw8)
    eight.init_weights()
    assert eight.temporal_embed.shape == (1, 8, 32)
    # 'pad' (the authors' rule): the 3 rows kept, the rest zero
    torch.testing.assert_close(eight.temporal_embed[:, :3],
                               src.temporal_embed)
    assert torch.count_nonzero(eight.temporal_embed[:, 3:]) == 0
    torch.testing.assert_close(eight.blocks[1].mlp.fc2.weight,
                               src.blocks[1].mlp.fc2.weight)
    assert not hasattr(eight, 'text_embeddings')
    assert eight(_clips(t=8)).shape == (2, 32)


def test_text_keys_dropped_on_load():
    init_default_scope('mmallinone')
    src = AllInOneTransformer(**KW)
    dst = AllInOneVideoBackbone(**KW)
    result = dst.load_state_dict(src.state_dict(), strict=True)
    assert not result.missing_keys and not result.unexpected_keys


def test_bad_arguments_and_inputs():
    init_default_scope('mmallinone')
    with pytest.raises(ValueError, match='out_type'):
        AllInOneVideoBackbone(out_type='max', **KW)
    with pytest.raises(ValueError, match='pretrained or init_cfg'):
        AllInOneVideoBackbone(pretrained='a.pth',
                              init_cfg=dict(type='Pretrained',
                                            checkpoint='a.pth'), **KW)
    backbone = AllInOneVideoBackbone(**KW)
    with pytest.raises(ValueError, match=r'\(N, 3, T, H, W\) clips'):
        backbone(torch.randn(2, 4, 3, 32, 32))  # NTCHW, 4 frames
