"""Build a FAISS index of video embeddings for text-to-video search.

Embeddings come either from a retrieval model (``AllInOneRetrieval``
config + checkpoint): every video of a dataloader of the config is encoded
once by the **video-only** path (``model.encode_video``; several test views
are averaged), or from a ``.npy`` file of ``(N, D)`` embeddings (with an
optional id list). The index type and its parameters come from the config's
``retrieval_index`` dict (see :mod:`mmallinone.utils.faiss_index`), then the
command line (``--factory``, ``--param``, ``--metric``).

Examples::

    # encode the test videos of a retrieval config, exact index
    python tools/retrieval/build_index.py \
        configs/allinone/retrieval_ti_demo.py \
        work_dirs/retrieval_ti_demo/iter_20.pth --out work_dirs/index_demo
    # a million precomputed embeddings, IVF index probing 32 of 1024 lists
    python tools/retrieval/build_index.py --embeds embeds.npy --ids ids.txt \
        --factory IVF1024,Flat --param nprobe=32 --out work_dirs/index_1m
    # a folder of (long) videos as sliding windows of 4 s every 2 s
    python tools/retrieval/build_index.py \
        configs/allinone/retrieval_ti_demo.py \
        work_dirs/retrieval_ti_demo/iter_20.pth --videos data/demo \
        --window 4 --stride 2 --out work_dirs/index_windows

Writes ``OUT/index.faiss``, ``OUT/ids.json`` (row -> video id),
``OUT/meta.json`` (index settings, source) and, with ``--save-embeds``,
``OUT/embeds.npy``. With ``--videos DIR`` every video of the folder is
encoded through :class:`mmallinone.apis.VideoIndex` (its embedding cache,
``--cache``), as one clip or, with ``--window SEC [--stride SEC]``, as
sliding windows; ``OUT/segments.json`` then holds ``[video, start, end]``
(seconds) of each row and ``tools/retrieval/search.py`` prints them.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from typing import List, Optional, Tuple

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import mmallinone  # noqa: E402,F401,I001  (upstream compat patches first)
from mmallinone.utils.faiss_index import (DEFAULT_INDEX_CFG,  # noqa: E402
                                          build_faiss_index, import_faiss,
                                          parse_params)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Build a FAISS index of video embeddings')
    parser.add_argument('config', nargs='?', help='retrieval config')
    parser.add_argument('checkpoint', nargs='?', help='model checkpoint')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--split', default='test', choices=['train', 'val', 'test'],
        help='dataloader of the config whose videos are indexed')
    parser.add_argument('--embeds', help='(N, D) .npy instead of a model')
    parser.add_argument('--videos', help='index a folder of videos instead '
                        'of a dataloader (with CONFIG CHECKPOINT)')
    parser.add_argument('--window', type=float,
                        help='--videos: sliding windows of SEC seconds')
    parser.add_argument('--stride', type=float,
                        help='--videos: seconds between windows')
    parser.add_argument('--cache', help='--videos: embedding cache file '
                        '(default: OUT/embed_cache.pth)')
    parser.add_argument('--ids', help='text file: one video id per row of '
                        '--embeds (default: row numbers)')
    parser.add_argument('--factory', help='faiss.index_factory string '
                        '(overrides the config)')
    parser.add_argument('--metric', choices=['ip', 'l2'], help='metric')
    parser.add_argument(
        '--param', nargs='+', default=[],
        help='search parameters NAME=VALUE (nprobe, efSearch, k_factor)')
    parser.add_argument('--train-size', type=int, help='training rows')
    parser.add_argument('--batch-size', type=int, help='dataloader batch')
    parser.add_argument('--device', default='cpu', help='model device')
    parser.add_argument(
        '--save-embeds', action='store_true', help='also save embeds.npy')
    parser.add_argument(
        '--cfg-options', nargs='+', default=None,
        help='key=value overrides of the config')
    args = parser.parse_args(argv)
    if args.embeds is None and (args.config is None or
                                args.checkpoint is None):
        parser.error('give CONFIG CHECKPOINT or --embeds')
    return args


def load_cfg(config: str, options: Optional[List[str]] = None):
    """Load a config and merge ``key=value`` overrides."""
    from mmengine.config import Config, DictAction
    cfg = Config.fromfile(config)
    if options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o', *options]).o)
    return cfg


def build_model(cfg, checkpoint: str, device: str = 'cpu'):
    """Build the retrieval model of ``cfg`` and load ``checkpoint``."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from mmallinone.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmallinone'))
    model = MODELS.build(cfg.model)
    if not model.can('embed'):
        raise TypeError(f'{type(model).__name__} cannot embed videos and '
                        'texts: use a retrieval config (AllInOneRetrieval)')
    load_checkpoint(model, checkpoint, map_location='cpu', strict=False)
    return model.to(device).eval()


def extract_video_embeds(model, cfg, split: str = 'test',
                         batch_size: Optional[int] = None
                         ) -> Tuple[np.ndarray, List[str]]:
    """Encode every video of ``cfg.<split>_dataloader`` once.

    Args:
        model (AllInOneRetrieval): The model (eval mode).
        cfg (Config): The config holding the dataloader.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        batch_size (int, optional): Overrides the dataloader's batch size.

    Returns:
        tuple: L2-normalised ``(N, D)`` float32 embeddings (views averaged)
        and the ``N`` video ids (``video_id`` of the data samples, else the
        sample index).
    """
    import torch
    import torch.nn.functional as F
    from mmengine.runner import Runner
    from mmengine.utils import ProgressBar

    loader_cfg = cfg.get(f'{split}_dataloader')
    if not loader_cfg:
        raise KeyError(f'the config has no {split}_dataloader')
    loader_cfg = dict(loader_cfg)
    if batch_size:
        loader_cfg['batch_size'] = batch_size
    loader_cfg['sampler'] = dict(type='DefaultSampler', shuffle=False)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    bar = ProgressBar(len(loader.dataset))
    embeds, ids = [], []
    with torch.no_grad():
        for batch in loader:
            samples = model.test_step(batch)  # (V, D) embeddings per video
            video = torch.stack([s.pred_video_embeds for s in samples])
            video = F.normalize(video.float().mean(1), dim=-1)
            embeds.append(video.cpu().numpy())
            for s in samples:
                meta = s.metainfo
                ids.append(str(meta.get('video_id', meta.get('sample_idx'))))
                bar.update()
    print()
    return np.concatenate(embeds).astype(np.float32), ids


def folder_embeds(args: argparse.Namespace) -> tuple:
    """Embeddings of a folder's videos or windows (``VideoIndex``).

    Returns:
        tuple: ``(N, D)`` float32 embeddings, ``N`` ids (file names),
        ``N`` ``[file name, start, end]`` segments and the source dict.
    """
    from mmallinone.apis import VideoIndex, init_model, model_fingerprint
    model = init_model(args.config, args.checkpoint, device=args.device)
    if not model.can('embed'):
        raise TypeError(f'{type(model).__name__} cannot embed videos: use '
                        'a retrieval config (AllInOneRetrieval)')
    cache = args.cache or osp.join(args.out, 'embed_cache.pth')
    index = VideoIndex(model, args.videos, cache,
                       model_fingerprint(args.config, args.checkpoint,
                                         'embed'),
                       mode='embed', window=args.window, stride=args.stride)
    stats = index.refresh()
    for path, reason in stats['skipped']:
        print(f'skipped {path}: {reason}')
    if not index.rows:
        raise RuntimeError(f'no readable video in "{args.videos}"')
    segments = [[osp.basename(p), s, e] for p, s, e in index.rows]
    source = dict(config=osp.abspath(args.config),
                  checkpoint=osp.abspath(args.checkpoint),
                  videos=osp.abspath(args.videos), window=args.window,
                  stride=index.stride, skipped=len(stats['skipped']))
    return (index.embeddings().numpy().astype(np.float32),
            [s[0] for s in segments], segments, source)


def main(argv: Optional[List[str]] = None) -> dict:
    """Extract or read embeddings, build and save the index."""
    args = parse_args(argv)
    faiss = import_faiss()
    cfg = load_cfg(args.config, args.cfg_options) if args.config else None
    index_cfg = dict(DEFAULT_INDEX_CFG)
    if cfg is not None and cfg.get('retrieval_index'):
        index_cfg.update(cfg.retrieval_index)
    if args.factory:
        index_cfg['factory'] = args.factory
    if args.metric:
        index_cfg['metric'] = args.metric
    if args.train_size:
        index_cfg['train_size'] = args.train_size
    index_cfg['search_params'] = dict(index_cfg.get('search_params') or {},
                                      **parse_params(args.param))

    t0 = time.perf_counter()
    if args.embeds:
        embeds = np.load(args.embeds, mmap_mode='r')
        if args.ids:
            with open(args.ids) as f:
                ids = [line.rstrip('\n') for line in f]
        else:
            ids = [str(i) for i in range(len(embeds))]
        if len(ids) != len(embeds):
            raise ValueError(f'{args.ids} has {len(ids)} ids for '
                             f'{len(embeds)} embeddings in {args.embeds}')
        source = dict(embeds=osp.abspath(args.embeds))
    elif args.videos:
        embeds, ids, segments, source = folder_embeds(args)
    else:
        model = build_model(cfg, args.checkpoint, args.device)
        embeds, ids = extract_video_embeds(model, cfg, args.split,
                                           args.batch_size)
        source = dict(config=osp.abspath(args.config),
                      checkpoint=osp.abspath(args.checkpoint),
                      split=args.split)
    extract_s = time.perf_counter() - t0
    print(f'{len(ids)} embeddings of dim {embeds.shape[1]} '
          f'({extract_s:.1f} s); building {index_cfg["factory"]!r}')
    t0 = time.perf_counter()
    index = build_faiss_index(embeds, progress=True, **index_cfg)
    build_s = time.perf_counter() - t0

    os.makedirs(args.out, exist_ok=True)
    faiss.write_index(index, osp.join(args.out, 'index.faiss'))
    with open(osp.join(args.out, 'ids.json'), 'w') as f:
        json.dump(ids, f)
    if args.videos:
        with open(osp.join(args.out, 'segments.json'), 'w') as f:
            json.dump(segments, f)
    if args.save_embeds:
        np.save(osp.join(args.out, 'embeds.npy'), np.asarray(embeds))
    meta = dict(index_cfg, dim=int(embeds.shape[1]), num=len(ids),
                extract_s=round(extract_s, 3), build_s=round(build_s, 3),
                **source)
    with open(osp.join(args.out, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    print(f'index of {len(ids)} videos ({index_cfg["factory"]}, built in '
          f'{build_s:.1f} s) written to {args.out}')
    return meta


if __name__ == '__main__':
    main()
