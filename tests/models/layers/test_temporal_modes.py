import pytest
import torch

from mmallinone.models.backbones import AllInOneTransformer
from mmallinone.models.layers import (FlattenFrames, FrameIndependent,
                                      TemporalTokenRoll)


def test_frames_per_sequence_and_identity():
    x = torch.randn(6, 5, 4)
    for mod, g in ((FrameIndependent(), 1), (FlattenFrames(), 3),
                   (TemporalTokenRoll(), 1)):
        assert mod.frames_per_sequence(3) == g
    assert FrameIndependent()(x, 3, layer_idx=1, visual_start=0) is x
    assert FlattenFrames()(x, 3) is x
    assert not torch.equal(TemporalTokenRoll(n_div=2)(x, 3), x)


@pytest.mark.parametrize('mode,cls', [('rolling', TemporalTokenRoll),
                                      ('none', FrameIndependent),
                                      ('flatten', FlattenFrames)])
def test_backbone_builds_one_temporal_module(mode, cls):
    bb = AllInOneTransformer(
        arch=dict(embed_dims=16, num_layers=1, num_heads=2), img_size=16,
        patch_size=8, num_frames=2, temporal_mode=mode)
    assert type(bb.temporal) is cls
    assert (bb.ttr is bb.temporal) == (mode == 'rolling')
    assert not any(k.startswith('temporal.') for k in bb.state_dict())


def test_custom_layer_without_frames_per_sequence():
    """A ``ttr_cfg`` layer with only ``forward`` keeps one frame per
    sequence and runs before the blocks."""
    from torch import nn

    from mmallinone.registry import MODELS

    class CountingIdentity(nn.Module):
        calls = 0

        def forward(self, x, num_frames, layer_idx=0, visual_start=0):
            CountingIdentity.calls += 1
            return x

    MODELS.register_module(module=CountingIdentity, force=True)
    bb = AllInOneTransformer(
        arch=dict(embed_dims=16, num_layers=2, num_heads=2), img_size=16,
        patch_size=8, num_frames=2, drop_rate=0., drop_path_rate=0.,
        ttr_cfg=dict(type='CountingIdentity'))
    assert bb.ttr is bb.temporal
    out = bb(imgs=torch.randn(1, 2, 3, 16, 16),
             input_ids=torch.tensor([[101, 2000, 102]]))
    assert out['video_feats'].shape == (1, 5, 16)
    assert CountingIdentity.calls == 2  # before each of the 2 blocks
