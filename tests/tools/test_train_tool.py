"""tools/train.py in one process: --amp on CPU, then --resume (auto)."""
import os
import os.path as osp
import re
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY_DIR = osp.dirname(osp.abspath(__file__))
TOY_CONFIG = osp.join(TOY_DIR, 'toy_config.py')


def _train(*args: str) -> str:
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [TOY_DIR, REPO, env.get('PYTHONPATH', '')])
    env.pop('MMALLINONE_TRUST_CHECKPOINTS', None)
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'train.py'), TOY_CONFIG,
         *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


def test_train_then_auto_resume(tmp_path):
    work_dir = str(tmp_path)
    out = _train('--work-dir', work_dir, '--amp', '--seed', '1',
                 '--cfg-options', 'train_cfg.max_iters=2')
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    out = _train('--work-dir', work_dir, '--resume', '--cfg-options',
                 'train_cfg.max_iters=3')
    assert 'resumed epoch: 0, iter: 2' in out
    assert 'loaded with torch.load(weights_only=False)' in out
    assert re.search(r'Iter\(train\) \[3/3\]', out)
    assert not re.search(r'Iter\(train\) \[1/3\]', out)
