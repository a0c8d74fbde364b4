"""tools/analysis_tools/analyze_logs.py on the log of a tiny MMEngine run."""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'analyze_logs.py')
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))
sys.path.insert(0, osp.join(REPO, 'tests', 'tools'))

import analyze_logs  # noqa: E402


@pytest.fixture(scope='module')
def work_dir(tmp_path_factory):
    """A 6-iteration run of the toy model logging ``loss`` and ``acc_toy``,
    plus a fake "resumed" run (copied rows of iterations 5-6, loss x 10):
    the later run must win for the steps both logged."""
    from mmengine.runner import Runner
    from toy_components import ToyModel, toy_runner_cfg

    class AccToyModel(ToyModel):

        def forward(self, inputs, data_samples=None, mode='tensor',
                    **kwargs):
            out = super().forward(inputs, data_samples, mode, **kwargs)
            if mode == 'loss':
                out['acc_toy'] = (out['loss'].detach() < 5).float()
            return out

    root = tmp_path_factory.mktemp('analyze_logs')
    cfg = toy_runner_cfg(str(root / 'work'), max_iters=6)
    cfg['model'] = AccToyModel()
    cfg['default_hooks']['checkpoint']['interval'] = 100
    cfg['log_level'] = 'WARNING'
    Runner(**cfg).train()
    [run] = [d for d in os.listdir(root / 'work')
             if osp.isdir(root / 'work' / d)]
    resumed = root / 'work' / 'zzzz_resumed' / 'vis_data'
    resumed.mkdir(parents=True)
    rows = [json.loads(line) for line in open(
        root / 'work' / run / 'vis_data' / 'scalars.json')]
    with open(resumed / 'scalars.json', 'w') as f:
        for row in rows[4:]:
            f.write(json.dumps(dict(row, loss=row['loss'] * 10)) + '\n')
    return str(root / 'work'), rows


def test_load_scalars_merges_resumed_runs(work_dir):
    path, rows = work_dir
    assert [r['iter'] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert {'loss', 'acc_toy', 'lr', 'time', 'data_time'} <= set(rows[0])
    merged = analyze_logs.load_scalars(path)
    assert [r['step'] for r in merged['train']] == [1, 2, 3, 4, 5, 6]
    losses = [r['loss'] for r in merged['train']]
    assert losses[:4] == [r['loss'] for r in rows[:4]]
    assert losses[4:] == pytest.approx([r['loss'] * 10 for r in rows[4:]])
    assert merged['val'] == []


def test_plot_curve_writes_png(work_dir, tmp_path):
    from PIL import Image
    path, _ = work_dir
    out = str(tmp_path / 'curves.png')
    analyze_logs.plot_curve([path], keys=['loss', 'acc_toy'], out=out,
                            title='toy')
    img = np.asarray(Image.open(out).convert('RGB'))
    assert img.shape == (560, 700, 3)  # two stacked 7 x 2.8 in panels
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 10  # not blank
    with pytest.raises(KeyError,
                       match='acc_vtm.*available keys.*acc_toy.*loss'):
        analyze_logs.plot_curve([path], keys=['acc_vtm'], out=out)


def test_cal_train_time(work_dir):
    path, _ = work_dir
    merged = analyze_logs.load_scalars(path)['train']
    stats = analyze_logs.cal_train_time(path)
    times = [r['time'] for r in merged[1:]]
    assert stats['iters'] == 5
    assert stats['mean'] == pytest.approx(np.mean(times))
    assert stats['slowest'] == max(times)
    assert analyze_logs.cal_train_time(path, include_outliers=True)[
        'iters'] == 6


def test_cli_and_errors(work_dir, tmp_path):
    path, _ = work_dir
    out = str(tmp_path / 'cli.png')
    proc = subprocess.run(
        [sys.executable, TOOL, 'plot_curve', path, path, '--keys', 'loss',
         '--legend', 'a', 'b', '--out', out],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert osp.getsize(out) > 1000
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='vis_backends'):
        analyze_logs.load_scalars(str(empty))
    bad = tmp_path / 'bad' / 'vis_data'
    bad.mkdir(parents=True)
    shutil.copy(osp.join(path, sorted(os.listdir(path))[0], 'vis_data',
                         'scalars.json'), bad / 'scalars.json')
    with open(bad / 'scalars.json', 'a') as f:
        f.write('{"loss": 1.0, "iter": 7, \n')
    with pytest.raises(ValueError, match='line 7: not JSON'):
        analyze_logs.load_scalars(str(bad.parent))
