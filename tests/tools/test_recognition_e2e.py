"""Linear probe and zero-shot classification of the five demo actions.

tools/train.py and tools/test.py in subprocesses on the mmaction2-scope
config ``configs/recognition/linear-probe_ti_demo.py`` (mmaction2's
Recognizer3D, VideoDataset, pipelines, I3DHead, AccMetric, runner) and the
mmallinone-scope ``zero-shot-cls_ti_demo.py``; a 2-block, 32-wide
All-in-One at 32x32 pixels, 3 frames, starting from a (random) tiny
pre-training checkpoint written here.
"""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RECOGNITION = osp.join(REPO, 'configs', 'recognition')
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=2)
SMALL_FRAMES = ['{}.dataset.pipeline.3.scale=(-1,40)',
                '{}.dataset.pipeline.4.{}=32']


def _run(tool, *args, timeout=300):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env.pop('MMALLINONE_TRUST_CHECKPOINTS', None)
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', tool), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


def _tiny_config(tmp_path, base, extra=''):
    """A config inheriting ``base`` with the tiny arch (needs _delete_)."""
    path = tmp_path / f'tiny_{osp.basename(base)}'
    path.write_text(
        f'_base_ = [{osp.join(RECOGNITION, base)!r}]\n'
        'model = dict(backbone=dict(arch=dict(_delete_=True, '
        f'**{TINY_ARCH!r}), img_size=32, num_frames=3){extra})\n')
    return str(path)


def _loader_opts(loader, crop_key):
    return [SMALL_FRAMES[0].format(loader),
            SMALL_FRAMES[1].format(loader, crop_key)]


@pytest.fixture(scope='module')
def pretrain_ckpt(tmp_path_factory):
    """A tiny AllInOnePretrainer state dict (backbone.*, pooler, VTM, MLM)."""
    from mmengine.registry import init_default_scope

    import mmallinone  # noqa: F401
    from mmallinone.registry import MODELS
    init_default_scope('mmallinone')
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='AllInOnePretrainer',
            backbone=dict(
                type='AllInOneTransformer', arch=TINY_ARCH, img_size=32,
                num_frames=3),
            vtm_head=dict(type='VTMHead'),
            mlm_head=dict(type='MLMHead', vocab_size=30522)))
    model.init_weights()
    path = tmp_path_factory.mktemp('pre') / 'pretrain_tiny.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return str(path)


def _state_dict(path):
    return torch.load(path, map_location='cpu', weights_only=False)[
        'state_dict']


def test_linear_probe_demo_train_and_test(tmp_path, pretrain_ckpt):
    """Frozen backbone == pre-trained weights after training; head moves."""
    cfg = _tiny_config(tmp_path, 'linear-probe_ti_demo.py',
                       ', cls_head=dict(in_channels=32)')
    work_dir = str(tmp_path / 'work')
    out = _run(
        'train.py', cfg, '--work-dir', work_dir, '--no-validate',
        '--cfg-options', f'model.backbone.pretrained={pretrain_ckpt}',
        'train_cfg.max_epochs=2', 'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=2',
        *_loader_opts('train_dataloader', 'size'))
    assert re.search(r'Epoch\(train\) \[2\]\[1/1\].*loss_cls: [\d.]+', out)
    # the optimizer saw only the head
    assert 'backbone.blocks.0.attn.qkv.weight is skipped' not in out

    pre = _state_dict(pretrain_ckpt)
    ep1 = _state_dict(osp.join(work_dir, 'epoch_1.pth'))
    ep2 = _state_dict(osp.join(work_dir, 'epoch_2.pth'))
    backbone_keys = [k for k in ep2 if k.startswith('backbone.')]
    assert len(backbone_keys) > 20
    assert not any(k.startswith('backbone.text_embeddings') for k in ep2)
    for key in backbone_keys:
        # loaded from the pre-training checkpoint and never changed
        torch.testing.assert_close(ep2[key], pre[key], rtol=0, atol=0,
                                   msg=key)
        torch.testing.assert_close(ep1[key], pre[key], rtol=0, atol=0,
                                   msg=key)
    head_keys = [k for k in ep2 if k.startswith('cls_head.')]
    assert sorted(head_keys) == ['cls_head.fc_cls.bias',
                                 'cls_head.fc_cls.weight']
    assert ep2['cls_head.fc_cls.weight'].shape == (5, 32)
    assert not torch.equal(ep1['cls_head.fc_cls.weight'],
                           ep2['cls_head.fc_cls.weight'])

    out_test = _run('test.py', cfg, osp.join(work_dir, 'epoch_2.pth'),
                    '--work-dir', work_dir, '--cfg-options',
                    *_loader_opts('test_dataloader', 'crop_size'))
    m = re.search(r'acc/top1: ([\d.]+) +acc/top5: ([\d.]+)', out_test)
    assert m, out_test[-3000:]
    top1, top5 = float(m.group(1)), float(m.group(2))
    assert top1 in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # 5 clips
    assert top5 == 1.0  # 5 classes


def test_zero_shot_demo_from_pretraining_checkpoint(tmp_path, pretrain_ckpt):
    """Class names as text, VTM match logit; the VTM head is loaded."""
    cfg = _tiny_config(tmp_path, 'zero-shot-cls_ti_demo.py')
    out = _run('test.py', cfg, pretrain_ckpt, '--work-dir',
               str(tmp_path / 'zs'), '--cfg-options',
               *_loader_opts('test_dataloader', 'crop_size'))
    assert 'Zero-shot classification over 5 classes' in out
    assert re.search(r'acc/top1: [\d.]+ +acc/top5: 1\.0+', out), out[-3000:]
    # only the MLM head is left over: backbone, pooler and VTM head loaded
    assert 'missing keys in source state_dict' not in out
    assert re.search(r'unexpected key in source state_dict: mlm_head', out)
