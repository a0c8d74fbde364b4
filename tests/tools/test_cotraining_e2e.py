"""Image-video co-training end to end: tools/train.py on CPU with the demo
config (the 5 real videos + 10 JPEG frames of them in CC3M's layout),
All-in-One-Ti at 32x32 pixels and 2 frames; the log must show losses of
both sources and the checkpoint both loaders' positions."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'allinone', 'pretrain_ti+_cotrain_demo.py')
IMAGE = 'train_cfg.other_loaders.image'
SMALL = [
    'model.backbone.img_size=32', 'model.backbone.num_frames=2',
    'train_dataloader.dataset.pipeline.1.clip_len=2',
    'train_dataloader.dataset.pipeline.3.scale=(-1,40)',
    'train_dataloader.dataset.pipeline.5.scale=(32,32)',
    f'{IMAGE}.dataset.pipeline.1.scale=(-1,40)',
    f'{IMAGE}.dataset.pipeline.3.scale=(32,32)',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False', f'{IMAGE}.num_workers=0',
    f'{IMAGE}.persistent_workers=False', 'train_dataloader.batch_size=2',
    f'{IMAGE}.batch_size=3', 'default_hooks.logger.interval=1',
    'default_hooks.checkpoint.interval=2', 'train_cfg.max_iters=2'
]


def test_cotraining_demo_logs_both_sources(tmp_path):
    work_dir = str(tmp_path)
    env = dict(os.environ)
    env.pop('MMALLINONE_TRUST_CHECKPOINTS', None)
    proc = subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), CONFIG, '--work-dir', work_dir,
        '--cfg-options', *SMALL
    ],
                          cwd=REPO,
                          env=env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=400)
    out = proc.stdout
    assert proc.returncode == 0, out[-5000:]
    assert re.search(
        r'video: VideoTextDataset \(10 samples, batch 2.*'
        r'image: CC3MDataset \(10 samples, batch 3', out)
    for it in (1, 2):
        line = re.search(rf'Iter\(train\) \[{it}/2\].*', out).group(0)
        values = {
            k: float(v)
            for k, v in re.findall(r'([\w/]+): (-?[\d.]+)', line)
        }
        for source in ('video', 'image'):
            for key in ('loss_vtm', 'loss_mlm', 'loss_wpa', 'acc_vtm'):
                assert f'{source}/{key}' in values, line
            # MLM over a 30522-word vocabulary starts near ln(30522) = 10.3
            assert 5 < values[f'{source}/loss_mlm'] < 15
        total = sum(v for k, v in values.items() if '/loss_' in k)
        assert abs(values['loss'] - total) < 1e-3 * max(1., total)
    assert 'skipped sample' not in out
    ckpt = torch.load(
        osp.join(work_dir, 'iter_2.pth'),
        map_location='cpu',
        weights_only=False)
    assert ckpt['message_hub']['runtime_info']['cotraining_positions'] == \
        dict(video=4, image=6)
