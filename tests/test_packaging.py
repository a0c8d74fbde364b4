"""Packaging: requirements, model index, and a wheel that works with no clone.

The slow test builds the wheel offline from a copy of the sources, installs
it into a throwaway folder (``pip install --no-deps --target``; the
dependencies come from this venv) and, from a working directory with no
access to the source tree and ``PYTHONPATH`` pointing only at that folder,
runs the ``mmallinone`` console command and trains the demo config by its
``mmallinone::`` name for one iteration with the shipped ``tools/train.py``.
"""
import configparser
import glob
import importlib.metadata as metadata
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: What a wheel build needs from the checkout (MANIFEST.in ships the same).
SOURCES = ('setup.py', 'setup.cfg', 'pyproject.toml', 'MANIFEST.in',
           'README.md', 'model-index.yml', 'requirements.txt',
           'requirements', 'mmallinone', 'configs', 'tools', 'data/demo')


def _setup_cfg() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(osp.join(REPO, 'setup.cfg'))
    return parser


def _requirements(path: str) -> list:
    lines = open(osp.join(REPO, path)).read().splitlines()
    return [Requirement(line.split('#')[0].strip()) for line in lines
            if line.split('#')[0].strip()]


def test_python_requires_is_the_floor_of_the_tested_stack():
    floor = _setup_cfg()['options']['python_requires']
    assert floor.startswith('>=')
    ours = tuple(int(v) for v in floor[2:].split('.'))
    assert sys.version_info[:2] >= ours  # the suite runs on it
    needed = []
    for dist in ('transformers', 'numpy', 'torch', 'mmengine'):
        spec = metadata.distribution(dist).metadata['Requires-Python'] or ''
        match = re.search(r'>=\s*(\d+)\.(\d+)', spec)
        if match:
            needed.append((int(match[1]), int(match[2])))
    assert ours == max(needed), (ours, needed)


def test_constraints_pin_every_runtime_requirement_within_its_range():
    pins = {r.name.lower().replace('_', '-'): r
            for r in _requirements('requirements/constraints.txt')}
    for req in _requirements('requirements/runtime.txt'):
        pin = pins[req.name.lower().replace('_', '-')]
        version = str(pin.specifier).lstrip('=')
        assert str(pin.specifier).startswith('=='), pin
        assert req.specifier.contains(version), (req, pin)
    # no exact pin in install_requires (a cluster keeps its own torch build)
    assert not any('==' in str(r.specifier)
                   for r in _requirements('requirements/runtime.txt'))
    # every extra's package is pinned too
    for extra in _setup_cfg()['options.extras_require'].values():
        for name in extra.split():
            assert name.lower().replace('_', '-') in pins, name
    assert SpecifierSet('>=2.5').contains(
        str(pins['torch'].specifier).lstrip('='))


def test_model_index_lists_every_metafile():
    index = yaml.safe_load(open(osp.join(REPO, 'model-index.yml')))
    metafiles = sorted(
        osp.relpath(p, REPO)
        for p in glob.glob(osp.join(REPO, 'configs', '*', 'metafile.yml')))
    assert sorted(index['Import']) == metafiles
    for path in metafiles:
        for model in yaml.safe_load(open(osp.join(REPO, path)))['Models']:
            assert osp.isfile(osp.join(REPO, model['Config'])), model


def _copy_sources(dst: str) -> None:
    for item in SOURCES:
        src = osp.join(REPO, item)
        if osp.isdir(src):
            shutil.copytree(
                src, osp.join(dst, item), symlinks=True,
                ignore=shutil.ignore_patterns('__pycache__', '*.pyc',
                                              '*.egg-info'))
        else:
            os.makedirs(osp.dirname(osp.join(dst, item)), exist_ok=True)
            shutil.copy2(src, osp.join(dst, item))


@pytest.mark.slow
def test_wheel_trains_the_demo_by_name_without_the_source_tree(tmp_path):
    src, dist, target, cwd = (str(tmp_path / d)
                              for d in ('src', 'dist', 'target', 'cwd'))
    _copy_sources(src)
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check']
    subprocess.run(pip + ['wheel', '--no-deps', '--no-build-isolation',
                          '--no-index', '-q', '-w', dist, src],
                   check=True, timeout=300)
    wheels = glob.glob(osp.join(dist, 'mmallinone-*.whl'))
    assert len(wheels) == 1
    subprocess.run(pip + ['install', '--no-deps', '--no-index', '-q',
                          '--no-compile', '--target', target, wheels[0]],
                   check=True, timeout=300)

    mim = osp.join(target, 'mmallinone', '.mim')
    assert osp.isfile(osp.join(mim, 'model-index.yml'))
    assert osp.isfile(osp.join(mim, 'configs', 'allinone',
                               'pretrain_ti_demo.py'))
    assert osp.isfile(osp.join(mim, 'configs', 'allinone', 'metafile.yml'))
    assert osp.isfile(osp.join(mim, 'tools', 'train.py'))
    assert os.access(osp.join(mim, 'tools', 'dist_train.sh'), os.X_OK)
    assert osp.isfile(osp.join(mim, 'data', 'demo', 'annotations',
                               'pretrain_demo.jsonl'))
    # the MSR-VTT layout's links became files (the vqa/mc demos read them)
    video = osp.join(mim, 'data', 'demo', 'msrvtt', 'videos', 'all',
                     'video0.mp4')
    assert osp.isfile(video) and not osp.islink(video)
    assert not glob.glob(osp.join(mim, '**', '__pycache__'), recursive=True)
    script = osp.join(target, 'bin', 'mmallinone')
    assert osp.isfile(script)

    os.makedirs(cwd)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('PYTHONPATH', 'MMALLINONE_'))}
    env.update(PYTHONPATH=target, OMP_NUM_THREADS='1')
    # a console command
    proc = subprocess.run(
        [sys.executable, script, 'configs', 'allinone/pretrain_ti_*'],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'mmallinone::allinone/pretrain_ti_demo.py' in proc.stdout.split()
    # the shipped tools/train.py, given the config by its name
    work_dir = osp.join(cwd, 'work')
    proc = subprocess.run(
        [sys.executable, osp.join(mim, 'tools', 'train.py'),
         'mmallinone::allinone/pretrain_ti_demo.py', '--work-dir', work_dir,
         '--cfg-options', 'train_cfg.max_iters=1',
         'train_dataloader.batch_size=1', 'train_dataloader.num_workers=0',
         'train_dataloader.persistent_workers=False',
         'default_hooks.logger.interval=1'],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, out[-5000:]
    assert re.search(r'Iter\(train\) \[1/1\].*loss: \d', out), out[-3000:]
    assert osp.isfile(osp.join(work_dir, 'iter_1.pth'))
    # the installed package ran, reading the installed demo data
    assert osp.join(mim, 'configs', '_base_', 'datasets') in out
    for folder in ('configs', 'mmallinone', 'data'):
        assert osp.join(REPO, folder) + os.sep not in out, folder
