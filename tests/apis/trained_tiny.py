"""A tiny retrieval model trained to tell the five demo videos apart.

The tiny ``retrieval_ti_demo`` config of :mod:`tiny_models` (2 blocks of
width 32, 2 frames, here of 64x64) is fine-tuned with its own losses
(contrastive + VTM, ``mode='loss'``) on samples of the real demo dataset
(train pipeline: random frames, random crop, a random caption of the
two), decoded once and reused. After training, every demo caption ranks
its own video first (checked here, so a test using the checkpoint fails
loudly if it stops being true). Trained once per test process.
"""
import atexit
import os.path as osp
import random
import shutil
import tempfile

import numpy as np
import torch

from tiny_models import DEMO, tiny_config

_CACHE = {}


def _captions():
    import json
    with open(osp.join(DEMO, 'captions.json')) as f:
        return {v['video']: v['captions'] for v in json.load(f)['videos']}


def _bigger_frames(path: str, size: int) -> str:
    """The tiny config with ``size`` x ``size`` frames (short side 1.25x)."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    cfg.model.backbone.img_size = size
    for key in ('train', 'val', 'test'):
        for t in cfg[f'{key}_dataloader']['dataset']['pipeline']:
            kind = t['type'].split('.')[-1]
            if kind == 'Resize':
                t['scale'] = (-1, size * 5 // 4)
            elif kind == 'CenterCrop':
                t['crop_size'] = size
            elif kind == 'RandomCrop':
                t['size'] = size
    cfg.dump(path)
    return path


def train_tiny_retrieval(steps: int = 500, passes: int = 10,
                         size: int = 64) -> tuple:
    """``(config, checkpoint)`` of the trained tiny model (cached)."""
    if 'ret' in _CACHE:
        return _CACHE['ret']
    from mmengine.dataset import pseudo_collate

    from mmallinone.apis import encode_texts, encode_videos, init_model
    from mmallinone.registry import DATASETS
    out_dir = tempfile.mkdtemp(prefix='tiny_retrieval_')
    atexit.register(shutil.rmtree, out_dir, True)
    cfg_path = _bigger_frames(tiny_config('retrieval_ti_demo.py', out_dir),
                              size)
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    model = init_model(cfg_path)
    dataset = DATASETS.build(model.cfg.train_dataloader.dataset)
    pool = [dataset[i] for _ in range(passes) for i in range(len(dataset))]
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=3e-3,
                              weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(optim, steps)
    gen = torch.Generator().manual_seed(0)
    n = len(dataset)
    for _ in range(steps):
        # one sample of every video per batch (the contrastive loss needs
        # the other videos as negatives)
        picks = [int(torch.randint(passes, (1, ), generator=gen)) * n + i
                 for i in range(n)]
        data = model.data_preprocessor(
            pseudo_collate([pool[i] for i in picks]), True)
        losses = model(**data, mode='loss')
        loss = sum(v for k, v in losses.items() if k.startswith("loss"))
        optim.zero_grad()
        loss.backward()
        optim.step()
        sched.step()
    model.eval()
    ckpt = osp.join(out_dir, 'tiny_retrieval_trained.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    # every caption must find its own video first
    caps = _captions()
    names = sorted(caps)
    videos = encode_videos(model, [osp.join(DEMO, v) for v in names])
    for i, name in enumerate(names):
        sims = encode_texts(model, caps[name]) @ videos.T
        assert (sims.argmax(1) == i).all(), (name, sims)
    _CACHE['ret'] = (cfg_path, ckpt)
    return _CACHE['ret']
