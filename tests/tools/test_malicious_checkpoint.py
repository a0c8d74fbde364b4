"""A malicious pickle runs no code on any loading path, even with a
``last_checkpoint`` file beside it: ``init_model``, ``tools/test.py``,
``load_from``, ``--resume`` (a path, and auto from a work dir whose
``last_checkpoint`` names it) and the converter. Every path refuses it and
names ``--trust-checkpoint``; the marker file that unpickling would create
never appears. (``check_benchmark_configs`` is tested in its own file.)"""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

import mmallinone  # noqa: F401
from mmallinone.checkpoint import TRUST_ENV_VAR, UntrustedCheckpointError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY_DIR = osp.dirname(osp.abspath(__file__))
TOY_CONFIG = osp.join(TOY_DIR, 'toy_config.py')


class _Evil:
    """Unpickling it creates ``marker`` (stands for arbitrary code)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


@pytest.fixture
def evil(tmp_path, monkeypatch):
    """(checkpoint path, marker path): an evil ``iter_2.pth`` in a work dir
    whose ``last_checkpoint`` names it."""
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    work_dir = tmp_path / 'work_dir'
    work_dir.mkdir()
    marker = str(tmp_path / 'pwned')
    path = str(work_dir / 'iter_2.pth')
    torch.save({'state_dict': {'linear.weight': torch.zeros(1, 4)},
                'meta': _Evil(marker)}, path)
    (work_dir / 'last_checkpoint').write_text(path)
    return path, marker


def test_init_model_refuses(evil):
    from mmallinone.apis import init_model
    path, marker = evil
    with pytest.raises(UntrustedCheckpointError, match='trust_checkpoint'):
        init_model(TOY_CONFIG, path)
    assert not osp.exists(marker)


def _run(*cmd) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [TOY_DIR, REPO, env.get('PYTHONPATH', '')])
    env.pop(TRUST_ENV_VAR, None)
    return subprocess.run([sys.executable, *cmd], cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300)


@pytest.mark.slow
def test_no_tool_runs_a_malicious_pickle(evil, tmp_path):
    path, marker = evil
    work_dir = osp.dirname(path)
    train = osp.join(REPO, 'tools', 'train.py')
    commands = {
        'test.py': [osp.join(REPO, 'tools', 'test.py'), TOY_CONFIG, path,
                    '--work-dir', str(tmp_path / 'test')],
        'load_from': [train, TOY_CONFIG, '--work-dir', str(tmp_path / 'lf'),
                      '--cfg-options', f'load_from={path}'],
        '--resume PATH': [train, TOY_CONFIG, '--work-dir',
                          str(tmp_path / 'rp'), '--resume', path],
        '--resume (auto)': [train, TOY_CONFIG, '--work-dir', work_dir,
                            '--resume'],
        'converter': [
            osp.join(REPO, 'tools', 'model_converters',
                     'mmallinone_to_allinone.py'), path,
            str(tmp_path / 'out.ckpt')],
    }
    for name, cmd in commands.items():
        proc = _run(*cmd)
        assert proc.returncode != 0, name
        assert 'UntrustedCheckpointError' in proc.stdout, (
            name, proc.stdout[-3000:])
        assert '--trust-checkpoint' in proc.stdout, name
        assert not osp.exists(marker), name
