"""Tiny configs and checkpoints of the shipped demo configs, for API tests.

A config of ``configs/allinone`` is loaded, its backbone shrunk (2 blocks of
width 32, 32x32 pixels, 2 frames) and every pipeline made to decode 2 frames
at 32x32; it is dumped to a plain ``.py`` file that the tools read like any
config. A checkpoint is the state dict of the model built from it.
"""
import os.path as osp

import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'data', 'demo')
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, mlp_ratio=2.0)


def _shrink_pipeline(pipeline):
    for t in pipeline:
        kind = t['type'].split('.')[-1]
        if kind == 'UniformSample':
            t['clip_len'] = 2
        elif kind == 'Resize' and t.get('keep_ratio', True):
            t['scale'] = (-1, 40)
        elif kind == 'Resize':
            t['scale'] = (32, 32)
        elif kind == 'CenterCrop':
            t['crop_size'] = 32
        elif kind == 'RandomCrop':
            t['size'] = 32


def tiny_config(name: str, out_dir: str) -> str:
    """Dump a tiny version of ``configs/allinone/<name>`` into ``out_dir``.

    Relative data roots are made absolute so the file works from any
    directory.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'allinone', name))
    backbone = cfg.model.backbone
    backbone.arch = dict(TINY_ARCH)
    backbone.img_size = 32
    backbone.num_frames = 2
    for key in ('train', 'val', 'test'):
        loader = cfg.get(f'{key}_dataloader')
        if loader:
            dataset = loader['dataset']
            _shrink_pipeline(dataset['pipeline'])
            if dataset.get('data_root') and \
                    not osp.isabs(dataset['data_root']):
                dataset['data_root'] = osp.join(REPO, dataset['data_root'])
        if cfg.get(f'{key}_pipeline'):
            _shrink_pipeline(cfg[f'{key}_pipeline'])
    path = osp.join(out_dir, 'tiny_' + name)
    cfg.dump(path)
    return path


def tiny_checkpoint(config: str, out_dir: str, seed: int = 0) -> str:
    """Save the state dict of a freshly initialised model of ``config``."""
    from mmallinone.apis import init_model
    torch.manual_seed(seed)
    model = init_model(config)
    path = osp.join(out_dir, osp.basename(config).replace('.py', '.pth'))
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path
