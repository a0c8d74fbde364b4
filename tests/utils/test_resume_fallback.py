"""``--resume`` with a broken or missing latest checkpoint, an empty or a
mistyped work dir (through the tools' ``build_runner``, real Runner)."""
import os.path as osp
import sys

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import mmallinone  # noqa: F401
from mmallinone.checkpoint import TRUST_ENV_VAR
from mmallinone.utils.runner import build_runner

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'tools'))
from toy_components import toy_runner_cfg  # noqa: E402


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A work dir with iter_2.pth, iter_4.pth and last_checkpoint."""
    work_dir = str(tmp_path_factory.mktemp('run') / 'work_dir')
    cfg = toy_runner_cfg(work_dir, max_iters=4, experiment_name='train')
    cfg['default_hooks']['checkpoint']['interval'] = 2
    Runner(**cfg).train()
    return work_dir


def _copy(trained, tmp_path):
    import shutil
    work_dir = str(tmp_path / 'work_dir')
    shutil.copytree(trained, work_dir)
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(work_dir, 'iter_4.pth'))
    return work_dir


def _resume(work_dir, name, load_from=None):
    cfg = Config(toy_runner_cfg(work_dir, max_iters=5, resume=True,
                                load_from=load_from, experiment_name=name))
    runner = build_runner(cfg)
    runner.load_or_resume()
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        return runner, f.read()


def test_corrupt_latest_falls_back_with_a_warning(trained, tmp_path,
                                                   monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    work_dir = _copy(trained, tmp_path)
    latest = osp.join(work_dir, 'iter_4.pth')
    data = open(latest, 'rb').read()
    open(latest, 'wb').write(data[:len(data) // 2])  # truncated
    runner, log = _resume(work_dir, 'corrupt')
    assert runner.iter == 2
    assert f'skipping checkpoint "{latest}"' in log
    assert 'iter_2.pth' in log and 'WARNING' in log


def test_missing_latest_falls_back(trained, tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    work_dir = _copy(trained, tmp_path)
    import os
    os.remove(osp.join(work_dir, 'iter_4.pth'))
    runner, log = _resume(work_dir, 'missing')
    assert runner.iter == 2
    assert 'iter_4.pth": the file is missing' in log


def test_explicit_corrupt_checkpoint_error_names_the_file(trained, tmp_path):
    work_dir = _copy(trained, tmp_path)
    latest = osp.join(work_dir, 'iter_4.pth')
    data = open(latest, 'rb').read()
    open(latest, 'wb').write(data[:len(data) // 2])
    with pytest.raises(RuntimeError, match=r'iter_4\.pth.*truncated'):
        _resume(work_dir, 'explicit', load_from=latest)


@pytest.mark.parametrize('exists', [True, False])
def test_empty_or_mistyped_work_dir_warns_loudly(tmp_path, exists):
    work_dir = tmp_path / 'work_dirx'
    if exists:
        work_dir.mkdir()
    runner, log = _resume(str(work_dir), f'scratch_{exists}')
    assert runner.iter == 0
    assert 'TRAINING STARTS FROM SCRATCH' in log
    assert ('does not exist' in log) is not exists
