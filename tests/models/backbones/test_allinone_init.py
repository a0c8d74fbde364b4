"""``linear_init_std``: timm's fixed N(0, 0.02) or PyTorch's fan-in init."""
import math

import pytest
import torch

from mmallinone.models.backbones import AllInOneTransformer

TINY = dict(arch=dict(embed_dims=64, num_layers=2, num_heads=4),
            img_size=(8, 64), patch_size=8, max_text_len=8, vocab_size=32)


def _linear_weights(model):
    return {n: p.detach().clone() for n, p in model.named_parameters()
            if p.dim() == 2 and ('attn' in n or 'mlp' in n)}


def test_default_is_timm_init():
    torch.manual_seed(0)
    model = AllInOneTransformer(**TINY)
    model.init_weights()
    qkv = model.blocks[0].attn.qkv
    assert qkv.weight.std().item() == pytest.approx(0.02, rel=0.1)
    assert torch.count_nonzero(qkv.bias) == 0
    assert model.pos_embed.abs().sum() > 0


def test_none_keeps_pytorch_fan_in_init():
    torch.manual_seed(0)
    model = AllInOneTransformer(linear_init_std=None, **TINY)
    before = _linear_weights(model)
    model.init_weights()
    after = _linear_weights(model)
    assert before.keys() == after.keys() and before
    for name in before:  # untouched by init_weights
        assert torch.equal(before[name], after[name]), name
    qkv = model.blocks[0].attn.qkv  # fan_in 64: std 1/sqrt(3 * 64)
    assert qkv.weight.std().item() == pytest.approx(
        1 / math.sqrt(3 * 64), rel=0.1)
    assert torch.count_nonzero(qkv.bias) > 0
    # the non-Linear tables still get the ViT init
    assert model.pos_embed.abs().sum() > 0
    assert model.pos_embed.std().item() == pytest.approx(0.02, rel=0.3)


def test_pos_embed_init_std():
    """The position table's init scale is a config choice (timm's 0.02 by
    default); the synthetic motion configs raise it so position is not
    buried under the patch content at the start."""
    torch.manual_seed(0)
    model = AllInOneTransformer(pos_embed_init_std=0.2, **TINY)
    model.init_weights()
    assert model.pos_embed.std().item() == pytest.approx(0.2, rel=0.3)
    # the CLS token and the Linear layers keep their own init
    assert model.cls_token.std().item() == pytest.approx(0.02, rel=0.5)
    assert model.blocks[0].attn.qkv.weight.std().item() == pytest.approx(
        0.02, rel=0.1)
    with pytest.raises(ValueError, match='pos_embed_init_std'):
        AllInOneTransformer(pos_embed_init_std=-1.0, **TINY)
