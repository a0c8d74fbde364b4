"""End to end: fine-tune retrieval on the demo videos, then tools/test.py."""
import glob
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CFG = osp.join(REPO, 'configs', 'allinone', 'retrieval_ti_demo.py')

# Tiny model and frames so that each tool run takes seconds on CPU; the
# rest (datasets, captions.json, tokenizer, metric, loops) is the demo
# config's.
TINY = '''_base_ = [{base!r}]
_pipe = [
    dict(type='mmaction.DecordInit'),
    dict(type='mmaction.UniformSample', clip_len=2, num_clips={views},
         test_mode={test}),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
    dict(type={tok!r}, max_length=16),
    dict(type='PackRetrievalInputs'),
]
'''
TAIL = '''train_dataloader = dict(dataset=dict(pipeline=train_pipe))
val_dataloader = dict(dataset=dict(pipeline=test_pipe))
test_dataloader = dict(dataset=dict(pipeline=test_pipe))
model = dict(backbone=dict(
    arch=dict(_delete_=True, embed_dims=32, num_layers=2, num_heads=2),
    img_size=32,
    num_frames=2, max_text_len=16), embed_dims=16)
train_cfg = dict(max_iters=3, val_interval=3)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=3))
'''


def write_tiny_config(path: str) -> str:
    text = TINY.format(base=DEMO_CFG, views=1, test=False,
                       tok='TokenizeText').replace('_pipe =', 'train_pipe =')
    text += TINY.split('\n', 1)[1].format(
        views=2, test=True, tok='TokenizeCaptions').replace(
            '_pipe =', 'test_pipe =')
    text += TAIL
    with open(path, 'w') as f:
        f.write(text)
    return path


def run(args, cwd):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='2')
    proc = subprocess.run([sys.executable] + args, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    return out


def test_train_then_test_print_retrieval_metrics(tmp_path):
    cfg = write_tiny_config(str(tmp_path / 'retrieval_tiny.py'))
    work = str(tmp_path / 'work')
    out = run([osp.join(REPO, 'tools', 'train.py'), cfg, '--work-dir',
               work], REPO)
    assert 'loss_itc' in out and 'loss_vtm' in out
    # validation after training: two-stream metrics, 10 texts x 5 videos
    assert re.search(r't2v/R@1: [\d.]+', out)
    assert '10 texts, 5 videos, 2 view(s)' in out
    ckpt = sorted(glob.glob(osp.join(work, 'iter_*.pth')))[-1]
    out = run([osp.join(REPO, 'tools', 'test.py'), cfg, ckpt, '--work-dir',
               work], REPO)
    # the metrics line of the test run, name by name: a bare search for
    # 't2v/R@1: ' would also match 'rerank/t2v/R@1: '
    lines = [ln for ln in out.splitlines()
             if '(test)' in ln and 'rerank/t2v/R@1' in ln]
    assert lines, out[-4000:]
    line = lines[-1]
    metrics = {k: float(v) for k, v in
               re.findall(r'(?<!\S)([\w/@]+): (-?[\d.]+)', line)}
    for prefix in ('', 'rerank/'):
        for direction, num_candidates in (('t2v', 5), ('v2t', 10)):
            name = f'{prefix}{direction}'
            r1, r5, r10 = (metrics[f'{name}/R@{k}'] for k in (1, 5, 10))
            assert 0.0 <= r1 <= r5 <= r10 <= 100.0, (name, metrics)
            assert 1.0 <= metrics[f'{name}/MdR'] <= num_candidates, name
            assert 1.0 <= metrics[f'{name}/MnR'] <= num_candidates, name
        # 5 videos: every caption's video ranks within the top 5 (a rank
        # past the number of candidates would be a metric bug)
        assert metrics[f'{prefix}t2v/R@5'] == 100.0, metrics
        assert metrics[f'{prefix}v2t/R@10'] == 100.0, metrics
