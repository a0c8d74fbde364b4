"""The model converters on Ti/S/B-sized released-layout checkpoints, and
``tools/test.py`` evaluating a released ``.ckpt`` directly."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmallinone.checkpoint import (convert_allinone_to_mmallinone,
                                   suggest_backbone_cfg)
from mmallinone.models import AllInOneTransformer
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _load_fixtures():
    import importlib.util
    path = osp.join(ROOT, 'tests', 'checkpoint', 'release_fixtures.py')
    spec = importlib.util.spec_from_file_location('_release_fixtures', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.release_state_dict


release_state_dict = _load_fixtures()
CONVERTERS = osp.join(ROOT, 'tools', 'model_converters')


def run(*args, timeout=120):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_convert_ti_release_and_load_strict(tmp_path):
    src, dst = str(tmp_path / 'ti.ckpt'), str(tmp_path / 'ti.pth')
    release = release_state_dict(dims=192, depth=12, vocab=30522,
                                 text_len=40, num_patches=196, std=0.02)
    torch.save({'state_dict': release, 'epoch': 1}, src)
    out = run(osp.join(CONVERTERS, 'allinone_to_mmallinone.py'), src, dst)
    assert out.returncode == 0, out.stderr
    assert '"arch": "tiny"' in out.stdout
    converted = torch.load(dst, weights_only=True)
    backbone = AllInOneTransformer(arch='tiny')
    sd = {k[len('backbone.'):]: v
          for k, v in converted['state_dict'].items()
          if k.startswith('backbone.')}
    backbone.load_state_dict(sd, strict=True)
    assert torch.equal(backbone.blocks[11].mlp.fc2.weight,
                       release['transformer.blocks.11.mlp.fc2.weight'])
    # and back to the released layout
    back = str(tmp_path / 'back.ckpt')
    out = run(osp.join(CONVERTERS, 'mmallinone_to_allinone.py'), dst, back,
              '--with-rank-output')
    assert out.returncode == 0, out.stderr
    again = torch.load(back, weights_only=True)['state_dict']
    for k, v in release.items():
        if k != 'text_embeddings.position_ids':
            assert torch.equal(again[k], v), k
    assert torch.equal(again['rank_output.weight'],
                       release['itm_score.fc.weight'][1:])


def test_convert_distilled_s_release(tmp_path):
    src, dst = str(tmp_path / 's.ckpt'), str(tmp_path / 's.pth')
    release = release_state_dict(dims=384, depth=12, vocab=30522,
                                 text_len=40, num_patches=196,
                                 dist_token=True, mlm=False, std=0.02)
    torch.save({'state_dict': release}, src)
    out = run(osp.join(CONVERTERS, 'allinone_to_mmallinone.py'), src, dst)
    assert out.returncode == 0, out.stderr
    assert '"with_dist_token": true' in out.stdout
    sd = torch.load(dst, weights_only=True)['state_dict']
    backbone = AllInOneTransformer(arch='small', with_dist_token=True)
    backbone.load_state_dict(
        {k[9:]: v for k, v in sd.items() if k.startswith('backbone.')},
        strict=True)
    assert backbone.pos_embed.shape == (1, 198, 384)


def test_convert_b_release_shapes_without_forward():
    release = release_state_dict(dims=768, depth=12, vocab=30522,
                                 text_len=40, num_patches=196, std=0.02)
    sd, report = convert_allinone_to_mmallinone(release)
    assert not report.unmapped
    assert suggest_backbone_cfg(sd)['arch'] == 'base'
    ours = AllInOneTransformer(arch='base').state_dict()
    for k, v in ours.items():
        assert sd['backbone.' + k].shape == v.shape, k


@pytest.mark.slow
def test_vit_converter_timm_file(tmp_path):
    import timm
    vit = timm.create_model('deit_tiny_patch16_224', pretrained=False)
    src, dst = str(tmp_path / 'deit.pth'), str(tmp_path / 'out.pth')
    torch.save({'model': vit.state_dict()}, src)
    out = run(osp.join(CONVERTERS, 'vit_to_mmallinone.py'), src, dst)
    assert out.returncode == 0, out.stderr
    sd = torch.load(dst, weights_only=True)['state_dict']
    assert torch.equal(sd['backbone.blocks.3.attn.qkv.weight'],
                       vit.state_dict()['blocks.3.attn.qkv.weight'])
    assert not any('head' in k for k in sd)


@pytest.mark.slow
def test_tools_test_evaluates_a_release_ckpt(tmp_path):
    """tools/test.py with load_from=<released .ckpt> (no conversion)."""
    dims = dict(_delete_=True, embed_dims=32, num_layers=2, num_heads=2)
    ckpt = str(tmp_path / 'all-in-one-tiny.ckpt')
    torch.save({'state_dict': release_state_dict(
        dims=32, depth=2, vocab=30522, text_len=40, num_patches=196,
        std=0.02)}, ckpt)
    cfg = tmp_path / 'tiny_release.py'
    cfg.write_text(
        f"_base_ = '{ROOT}/configs/allinone/pretrain_b_webvid_howto.py'\n"
        f'model = dict(backbone=dict(arch={dims!r}))\n'
        'test_dataloader = dict(batch_size=2, num_workers=0, '
        'persistent_workers=False)\n')
    out = run(osp.join(ROOT, 'tools', 'test.py'), str(cfg), ckpt,
              '--work-dir', str(tmp_path / 'work'), '--cfg-options',
              f'load_from={ckpt}',
              'test_dataloader.dataset.datasets.0.data_root=data/demo/webvid',
              'test_dataloader.dataset.datasets.1.data_root='
              'data/demo/howto100m', timeout=300)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-3000:]
    assert 'is an All-in-One release' in log
    assert 'size mismatch' not in log
    assert 'missing keys' not in log.lower() or 'wpa' in log.lower()


def run_in_process(monkeypatch, tool, *args):
    """Run a converter's ``main`` here (no interpreter start-up)."""
    import runpy
    monkeypatch.setattr(sys, 'argv', [tool, *args])
    runpy.run_path(osp.join(CONVERTERS, tool), run_name='__main__')


def test_converters_write_and_read_safetensors(tmp_path, monkeypatch):
    """``.safetensors`` outputs: tensors and the conversion report (meta)."""
    import json

    from safetensors import safe_open
    from safetensors.torch import load_file
    src = str(tmp_path / 'tiny.ckpt')
    dst = str(tmp_path / 'tiny.safetensors')
    release = release_state_dict(dims=32, depth=2, vocab=30522, text_len=40,
                                 num_patches=196, std=0.02)
    torch.save({'state_dict': release}, src)
    run_in_process(monkeypatch, 'allinone_to_mmallinone.py', src, dst)
    sd = load_file(dst)
    assert torch.equal(sd['backbone.blocks.1.mlp.fc2.weight'],
                       release['transformer.blocks.1.mlp.fc2.weight'])
    with safe_open(dst, framework='pt') as f:
        meta = json.loads(f.metadata()['meta'])
    assert meta['converted_from'] == 'allinone_release'
    # back to the released layout, safetensors in and out
    back = str(tmp_path / 'back.safetensors')
    run_in_process(monkeypatch, 'mmallinone_to_allinone.py', dst, back,
                   '--with-rank-output')
    again = load_file(back)
    assert torch.equal(again['transformer.blocks.1.mlp.fc2.weight'],
                       release['transformer.blocks.1.mlp.fc2.weight'])
    # rank_output shares nothing with itm_score after the copy
    assert torch.equal(again['rank_output.weight'],
                       release['itm_score.fc.weight'][1:])
