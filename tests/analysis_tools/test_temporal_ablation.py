"""The temporal mechanism learns: rolling beats time average on held-out
synthetic motion clips, where no single frame tells the direction.

A fast, seeded version of tools/analysis_tools/temporal_ablation.py (the
full ablation and its numbers are in docs/benchmarks.md).
"""
import json
import os
import os.path as osp
import sys

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))
sys.path.insert(0, osp.join(REPO, 'tools', 'data', 'synthetic'))

import generate_motion  # noqa: E402
import temporal_ablation  # noqa: E402

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs


def test_generated_clips_only_motion_tells_the_direction(tmp_path):
    """Per frame, both directions look alike; across frames they differ."""
    import decord
    out = str(tmp_path / 'motion')
    generate_motion.generate(out, train=40, test=4, seed=1)
    rows = [json.loads(line) for line in open(osp.join(out, 'train.jsonl'))]
    meta = json.load(open(osp.join(out, 'meta.json')))
    assert meta['width'] == 64 and meta['height'] == 8
    for row in rows[:10]:
        frames = decord.VideoReader(osp.join(out, row['video'])).get_batch(
            [0, 1, 2]).asnumpy()
        assert frames.shape == (3, 8, 64, 3)
        # the block is the one cell with no noise: find it in every frame
        cells = [int(np.argmin([f[:, 8 * c:8 * c + 8].astype(float).std(
            axis=(0, 1)).sum() for c in range(8)])) for f in frames]
        step = -1 if row['label'] == 0 else 1
        assert cells[1] == (cells[0] + step) % 8
        assert cells[2] == (cells[1] + step) % 8
        assert row['caption'] in row['options']
        assert row['options'][row['answer']] == row['caption']
        assert ('left' in row['caption']) == (row['label'] == 0)
    assert {r['label'] for r in rows} == {0, 1}


def test_rolling_beats_time_average(tmp_path):
    """The fast version of the ablation (about 75 s on 2 idle cores): 1500
    training clips, a 2-block model, 800 iterations of batch 32, the two
    modes in parallel processes, data generated and decoded on the way."""
    data = str(tmp_path / 'motion')
    rows = temporal_ablation.main([
        '--data-root', data, '--work-dir', str(tmp_path / 'work'),
        '--modes', 'block', 'none', '--train', '1500', '--test', '400',
        '--iters', '800', '--batch-size', '32', '--arch', '64,2,4',
        '--jobs', '2', '--seed', '0', '--no-plots', '--log-interval', '200'
    ])
    acc = {r['mode']: r['accuracy'] for r in rows}
    # time average cannot beat chance; rolling compares frames. Measured:
    # block 0.745 (the 2-block model is still learning at 800 iterations;
    # the full ablation reaches 99.9 %), none about 0.5.
    assert abs(acc['none'] - 0.5) < 0.08, acc
    assert acc['block'] >= acc['none'] + 0.15, acc
    saved = json.load(open(tmp_path / 'work' / 'ablation.json'))
    assert [r['mode'] for r in saved['results']] == ['block', 'none']
    assert all(r['sec_per_iter'] > 0 and len(r['loss_curve']) == 800
               for r in saved['results'])
    # the modes shared one decoded-clip cache on disk
    assert len(os.listdir(osp.join(data, 'decoded_cache'))) == 1900


def test_benchmark_pipeline_reads_every_frame_in_order(tmp_path):
    """The configs' sampling must give frames 0, 1, 2 (mmaction2's
    UniformSample repeats frames of a 3-frame clip and erases the motion)."""
    import mmallinone  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmallinone.registry import DATASETS
    out = str(tmp_path / 'motion')
    generate_motion.generate(out, train=4, test=2, seed=2)
    init_default_scope('mmallinone')
    for name in ('synthetic-motion_block_ti.py',
                 'synthetic-motion-mc_block_ti.py'):
        cfg = Config.fromfile(osp.join(REPO, 'configs', 'allinone', name))
        for loader in ('train_dataloader', 'test_dataloader'):
            ds_cfg = cfg[loader].dataset
            ds_cfg.data_root = out
            assert ds_cfg.pipeline[0]['type'] == 'CachedVideoInit'
            ds_cfg.pipeline[0]['cache_dir'] = str(tmp_path / 'decoded')
            ds = DATASETS.build(ds_cfg)
            for i in range(len(ds)):
                sample = ds[i]['data_samples']
                assert sample.frame_inds.tolist() == [0, 1, 2], (name, loader)


def test_init_from_loads_each_modes_own_checkpoint(tmp_path):
    """--init-from: every mode starts from the last checkpoint of the same
    mode in an earlier work dir; a missing one is a clear error."""
    earlier = tmp_path / 'earlier'
    (earlier / 'block').mkdir(parents=True)
    ckpt = str(earlier / 'block' / 'iter_2000.pth')
    (earlier / 'block' / 'last_checkpoint').write_text(ckpt + '\n')
    args = temporal_ablation.parse_args([
        '--form', 'mc', '--init-from', str(earlier), '--work-dir',
        str(tmp_path / 'mc'), '--data-root', str(tmp_path / 'data')
    ])
    cfg = temporal_ablation.build_cfg('block', args)
    assert cfg.load_from == ckpt
    assert cfg.work_dir == str(tmp_path / 'mc' / 'block')
    # the disk cache follows --data-root
    assert cfg.train_dataloader.dataset.pipeline[0]['cache_dir'] == str(
        tmp_path / 'data' / 'decoded_cache')
    with pytest.raises(FileNotFoundError, match="mode 'none'"):
        temporal_ablation.build_cfg('none', args)


def test_own_temporal_module_joins_the_ablation(tmp_path, monkeypatch):
    """A researcher's registered temporal layer, in a config inheriting the
    block config, is trained and reported next to the built-in modes."""
    (tmp_path / 'my_temporal_layer.py').write_text('''
import torch
from torch import nn
from mmallinone.registry import MODELS


@MODELS.register_module()
class HalfChannelFrameSwap(nn.Module):
    """Half of every visual token's channels come from frame t - 1."""
    calls = 0

    def forward(self, x, num_frames, layer_idx=0, visual_start=0):
        HalfChannelFrameSwap.calls += 1
        n, length, c = x.shape
        xv = x.view(n // num_frames, num_frames, length, c)
        mixed = torch.cat(
            [xv[..., :c // 2], xv.roll(1, dims=1)[..., c // 2:]], -1)
        out = torch.cat([xv[:, :, :visual_start], mixed[:, :, visual_start:]],
                        2)
        return out.reshape(n, length, c)
''')
    config = tmp_path / 'half_swap.py'
    base = osp.join(REPO, 'configs', 'allinone', 'synthetic-motion_block_ti.py')
    config.write_text(
        f'_base_ = [{base!r}]\n'
        "custom_imports = dict(imports=['my_temporal_layer'])\n"
        'model = dict(backbone=dict(ttr_cfg=dict(_delete_=True, '
        "type='HalfChannelFrameSwap')))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = temporal_ablation.main([
        '--data-root', str(tmp_path / 'motion'), '--work-dir',
        str(tmp_path / 'work'), '--modes', 'none', str(config), '--train',
        '64', '--test', '16', '--iters', '3', '--batch-size', '8', '--arch',
        '16,2,2', '--jobs', '1', '--no-plots', '--log-interval', '1'
    ])
    assert [r['mode'] for r in rows] == ['none', 'half_swap']
    import my_temporal_layer
    assert my_temporal_layer.HalfChannelFrameSwap.calls > 0
    assert osp.isdir(tmp_path / 'work' / 'half_swap')
    with pytest.raises(SystemExit):  # an unknown mode is refused up front
        temporal_ablation.parse_args(['--modes', 'no_such_mode'])
