"""The package without decord (Linux aarch64, macOS arm64: no wheels).

A fresh interpreter hides decord (an import hook makes ``import decord``
fail as on a machine without it), imports mmallinone, checks that
``backend='auto'`` picks another decoder, and loads samples of the demo
pre-training config (its pipeline uses ``SafeVideoInit(backend='auto')``)
and a PyAV pipeline through the real dataset.
"""
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

_CHILD = r'''
import hashlib, importlib.abc, json, sys

class HideDecord(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == 'decord' or name.startswith('decord.'):
            raise ModuleNotFoundError("No module named 'decord'", name=name)
        return None

sys.meta_path.insert(0, HideDecord())
import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope
import mmallinone  # noqa: F401
from mmallinone.datasets.transforms.video_readers import (
    available_backends, resolve_backend)
from mmallinone.registry import DATASETS, TRANSFORMS
init_default_scope('mmallinone')
out = dict(available=available_backends(), auto=resolve_backend('auto'))
try:
    resolve_backend('decord')
except ImportError as err:
    out['decord_error'] = str(err)
cfg = Config.fromfile('configs/allinone/pretrain_ti_demo.py')
ds_cfg = cfg.train_dataloader.dataset
ds_cfg.data_root = 'data/demo'
np.random.seed(0)
dataset = DATASETS.build(ds_cfg)
sample = dataset[0]
out['auto_imgs'] = list(sample['inputs']['imgs'].shape)
# a PyAV pipeline, frames of the AVI
pyav = [dict(type='SafeVideoInit', backend='pyav', min_frames=3),
        dict(type='mmaction.UniformSample', clip_len=3, num_clips=1,
             test_mode=True),
        dict(type='VideoDecode')]
results = dict(filename='data/demo/eye_makeup.avi', start_index=0)
for t in pyav:
    results = TRANSFORMS.build(t)(results)
frames = np.stack(results['imgs'])
out['pyav'] = [results['video_backend'], results['frame_inds'].tolist(),
               list(frames.shape)]
out['pyav_md5'] = hashlib.md5(frames.tobytes()).hexdigest()
out['skipped'] = dataset.num_skipped
out['decord_loaded'] = 'decord' in sys.modules
print('RESULT ' + json.dumps(out))
'''


@pytest.mark.slow
def test_pipeline_runs_without_decord():
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, '-c', _CHILD], cwd=REPO,
                          env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith('RESULT ')]
    out = json.loads(line[-1][len('RESULT '):])
    assert 'decord' not in out['available'] and out['auto'] != 'decord'
    assert out['auto'] in ('torchcodec', 'pyav')
    assert 'pip install decord' in out['decord_error']
    assert out['auto_imgs'][0] == 3  # (S, C, H, W) frames of the sample
    assert out['pyav'] == ['pyav', [27, 81, 136], [3, 240, 320, 3]]
    # the same pixels as decord decodes here
    decord = pytest.importorskip('decord')
    ref = decord.VideoReader(osp.join(REPO, 'data', 'demo',
                                      'eye_makeup.avi'), num_threads=1)
    ref = ref.get_batch([27, 81, 136]).asnumpy()
    assert hashlib.md5(ref.tobytes()).hexdigest() == out['pyav_md5']
    assert out['skipped'] == 0 and not out['decord_loaded']
