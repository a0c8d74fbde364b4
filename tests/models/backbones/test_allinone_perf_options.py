"""Backbone performance options: ``with_cp``, ``compile_cfg``, autocast."""
import pytest
import torch

from mmallinone.models import AllInOneTransformer
from mmallinone.registry import MODELS

TINY = dict(embed_dims=32, num_layers=2, num_heads=2)


def build(**kwargs):
    cfg = dict(type='AllInOneTransformer', arch=TINY, img_size=32,
               patch_size=16, num_frames=3, max_text_len=12, vocab_size=120,
               drop_rate=0.1, drop_path_rate=0.1)
    cfg.update(kwargs)
    torch.manual_seed(0)
    model = MODELS.build(cfg)  # reachable from a config
    model.init_weights()
    return model


def inputs(b=2):
    g = torch.Generator().manual_seed(1)
    imgs = torch.randn(b, 3, 3, 32, 32, generator=g)
    ids = torch.randint(5, 120, (b, 6), generator=g)
    mask = torch.ones(b, 6, dtype=torch.long)
    mask[1, 4:] = 0
    return imgs, ids, mask


def loss_and_grads(model, path):
    imgs, ids, mask = inputs()
    model.train()
    torch.manual_seed(123)  # same dropout / drop-path draws for both runs
    if path == 'joint':
        t, v = model.forward_joint(imgs, ids, mask)
        loss = t.pow(2).mean() + v.sin().mean()
    elif path == 'video':
        loss = model.forward_video(imgs).pow(2).mean()
    else:
        loss = model.forward_text(ids, mask).pow(2).mean()
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters()
             if p.grad is not None}
    return loss.detach(), grads


@pytest.mark.parametrize('path', ['joint', 'video', 'text'])
def test_with_cp_gives_identical_loss_and_gradients(path):
    ref_loss, ref_grads = loss_and_grads(build(), path)
    cp_model = build(with_cp=True)
    calls = []
    orig = torch.utils.checkpoint.checkpoint

    def counting(*args, **kwargs):
        calls.append(1)
        return orig(*args, **kwargs)

    torch.utils.checkpoint.checkpoint = counting
    try:
        loss, grads = loss_and_grads(cp_model, path)
    finally:
        torch.utils.checkpoint.checkpoint = orig
    assert len(calls) == 2  # one checkpoint per block
    assert torch.equal(loss, ref_loss)
    assert set(grads) == set(ref_grads) and len(grads) > 10
    for name, g in ref_grads.items():
        torch.testing.assert_close(grads[name], g, rtol=0, atol=1e-6,
                                   msg=name)


def test_with_cp_is_off_in_eval_and_without_grad():
    model = build(with_cp=True).eval()
    imgs, ids, mask = inputs()
    ref = build().eval().forward_joint(imgs, ids, mask)
    with torch.no_grad():
        out = model.forward_joint(imgs, ids, mask)
    torch.testing.assert_close(out, ref)


def test_compile_cfg_keeps_names_and_outputs():
    ref = build().eval()
    compiled = build(compile_cfg=dict(backend='eager')).eval()
    assert list(compiled.state_dict()) == list(ref.state_dict())
    compiled.load_state_dict(ref.state_dict())
    imgs, ids, mask = inputs()
    with torch.no_grad():
        torch.testing.assert_close(
            compiled.forward_joint(imgs, ids, mask),
            ref.forward_joint(imgs, ids, mask))
    assert all(blk._compiled_call_impl is not None
               for blk in compiled.blocks)


def test_bf16_autocast_on_cpu():
    ref = build().eval()
    bf16 = build(autocast_dtype='bfloat16').eval()
    imgs, ids, mask = inputs()
    seen = []
    hook = bf16.blocks[0].mlp.fc1.register_forward_hook(
        lambda m, i, o: seen.append(o.dtype))
    with torch.no_grad():
        t, v = bf16.forward_joint(imgs, ids, mask)
        t_ref, v_ref = ref.forward_joint(imgs, ids, mask)
        txt = bf16.forward_text(ids, mask)
        vid = bf16.forward_video(imgs)
    hook.remove()
    assert seen == [torch.bfloat16] * 3  # joint, text, video all in bf16
    for out in (t, v, txt, vid):
        assert out.dtype == torch.float32
    # bf16 has 8 mantissa bits: close to, not equal to, float32
    assert not torch.equal(t, t_ref)
    torch.testing.assert_close(t, t_ref, rtol=0.1, atol=0.1)
    torch.testing.assert_close(v, v_ref, rtol=0.1, atol=0.1)


def test_bad_autocast_dtype_is_a_clear_error():
    with pytest.raises(ValueError, match='autocast_dtype'):
        AllInOneTransformer(arch=TINY, img_size=32, autocast_dtype='fp8')
