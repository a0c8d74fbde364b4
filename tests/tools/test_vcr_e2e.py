"""VCR end to end: tools/train.py then tools/test.py on the VCR fixture.

A 2-layer, 32-wide All-in-One on 32x32 one-frame clips (config written
next to the run, inheriting ``configs/allinone/vcr_ti_demo.py``).
"""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

CONFIG = """
_base_ = [{base!r}]
model = dict(backbone=dict(
    arch=dict(_delete_=True, embed_dims=32, num_layers=2, num_heads=2),
    img_size=32,
    max_text_len=40))
pipeline = [
    dict(type='LoadImageAsClip', clip_len=1),
    dict(type='VCRMarkEntities', vis_dir={vis!r}),
    dict(type='mmaction.Resize', scale=(48, 32), keep_ratio=False),
    dict(type='TokenizeCandidates', max_length=40, prefix_key='question'),
    dict(type='TokenizeCandidates', max_length=40, prefix_key='qa_prefix',
         candidates_key='rationale_candidates', output_key='rationale_ids'),
    dict(type='PackVCRInputs'),
]
demo_data = dict(data_root={root!r}, pipeline=pipeline)
train_dataloader = dict(dataset=demo_data)
val_dataloader = dict(dataset=demo_data)
test_dataloader = dict(dataset=demo_data)
train_cfg = dict(max_iters=2, val_interval=2)
default_hooks = dict(checkpoint=dict(interval=2))
"""


def _run(tool, *args, timeout=300):
    env = dict(os.environ)
    env.pop('MMALLINONE_TRUST_CHECKPOINTS', None)
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', tool), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


def test_vcr_train_then_test_prints_three_accuracies(tmp_path):
    vis = tmp_path / 'vis'
    cfg = tmp_path / 'vcr_tiny.py'
    cfg.write_text(CONFIG.format(
        base=osp.join(REPO, 'configs', 'allinone', 'vcr_ti_demo.py'),
        vis=str(vis), root=osp.join(REPO, 'tests', 'data', 'vcr')))
    work = str(tmp_path / 'work')
    out = _run('train.py', str(cfg), '--work-dir', work)
    losses = re.findall(r'Iter\(train\) \[(\d)/2\].*loss_q2a: ([\d.]+) +'
                        r'loss_qa2r: ([\d.]+)', out)
    assert [it for it, _, _ in losses] == ['1', '2'], out[-3000:]
    # 4 candidates each: CE starts near ln 4
    assert abs(float(losses[0][1]) - 1.386) < 0.2
    assert re.search(r'vcr/q2a: [\d.]+ +vcr/qa2r: [\d.]+ +vcr/q2ar: [\d.]+',
                     out)
    ckpt = osp.join(work, 'iter_2.pth')
    assert osp.isfile(ckpt)
    for png in vis.iterdir():
        png.unlink()
    out = _run('test.py', str(cfg), ckpt, '--work-dir', work)
    m = re.search(r'vcr/q2a: ([\d.]+) +vcr/qa2r: ([\d.]+) +vcr/q2ar: '
                  r'([\d.]+) +vcr/mean: [\d.]+ +vcr/num_samples: 3\.0',
                  out)
    assert m, out[-3000:]
    q2a, qa2r, q2ar = map(float, m.groups())
    # 3 questions: every accuracy is a multiple of 1/3; Q->AR <= both
    for acc in (q2a, qa2r, q2ar):
        assert min(abs(acc - v) for v in (0, 100 / 3, 200 / 3, 100)) < 0.01
    assert q2ar <= min(q2a, qa2r)
    # the marking transform ran in the test pipeline and wrote its PNGs
    assert sorted(p.name for p in vis.iterdir()) == [
        'val-0.png', 'val-1.png', 'val-2.png']
