"""End to end on the demo videos: tools/train.py then tools/test.py for the
captioning demo config (All-in-One-Ti at 32x32 pixels, 2 frames), printing
every caption metric."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG = osp.join(REPO, 'configs', 'allinone', 'caption_ti_demo.py')
SMALL = ['model.backbone.img_size=32', 'model.backbone.num_frames=2',
         'model.decode_cfg.max_len=6', 'model.decode_cfg.beam_size=2']


def _run(tool, *args, timeout=900):
    env = dict(os.environ)
    env.pop('MMALLINONE_TRUST_CHECKPOINTS', None)
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', tool), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


def _test_data(loader):
    return [f'{loader}.dataset.pipeline.1.clip_len=2',
            f'{loader}.dataset.pipeline.3.scale=(-1,40)',
            f'{loader}.dataset.pipeline.4.crop_size=32']


@pytest.mark.slow
def test_caption_demo_train_then_test_prints_every_metric(tmp_path):
    work = str(tmp_path)
    out = _run('train.py', CFG, '--work-dir', work, '--cfg-options', *SMALL,
               # no validation pass here: tools/test.py below runs the
               # same loop and metric (each evaluation starts two JVMs)
               'train_cfg.max_iters=2', 'train_cfg.val_interval=100',
               'default_hooks.checkpoint.interval=2',
               'default_hooks.logger.interval=1',
               'train_dataloader.dataset.pipeline.1.clip_len=2',
               'train_dataloader.dataset.pipeline.3.scale=(-1,40)',
               'train_dataloader.dataset.pipeline.4.size=32',
               # every loader agrees with the model (checked at build time)
               *_test_data('val_dataloader'), *_test_data('test_dataloader'))
    assert re.search(r'Iter\(train\) \[2/2\].*loss_caption: [\d.]+', out)
    ckpt = osp.join(work, 'iter_2.pth')
    assert osp.isfile(ckpt)
    out = _run('test.py', CFG, ckpt, '--work-dir', work, '--cfg-options',
               *SMALL, *_test_data('test_dataloader'))
    names = ['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'METEOR', 'ROUGE-L',
             'CIDEr']
    from mmallinone.evaluation.metrics.caption_metric import java_available
    if not java_available():  # the documented fallback: no METEOR
        names.remove('METEOR')
    for name in names:
        assert re.search(rf'caption/{name}: [\d.]+', out), (name, out[-3000:])
    assert re.search(r'caption/num_videos: 5\.0', out)
