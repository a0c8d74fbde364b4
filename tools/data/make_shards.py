"""Pack any dataset mmallinone reads into webdataset tar shards.

The dataset is built from a config (``--split`` picks ``train_dataloader``,
``val_dataloader`` or ``test_dataloader``) with mmallinone's own loaders, so
WebVid CSV/TSV, HowTo100M, generic JSON/JSONL and the retrieval / QA / MC
datasets all work, with their annotation checks. Its annotation list is
grouped by video (``--group-by video``: one sample per video, all its
captions; ``sample``: one per data info) and written as::

    OUT/00000.tar           {key}.mp4 (or .avi...) + {key}.txt + {key}.json
    OUT/00000_stats.json    what that shard holds and what was skipped
    OUT/manifest.json       totals, per-shard stats, skipped items + reason

Modes:

- ``copy``: the original bytes (after a header check and a one-frame decode);
- ``transcode``: H.264 MP4 re-encoded with PyAV, short side ``--short-side``,
  at most ``--fps`` frames/s, a keyframe every ``--keyint`` seconds, no
  audio (timestamps keep their seconds, so HowTo100M caption windows stay
  valid);
- ``frames``: ``--num-frames`` K JPEG frames per video, members
  ``{key}.0.jpg`` ... ``{key}.{K-1}.jpg``, taken at the middle of K equal
  segments (``mmaction.UniformSample`` in test mode); read them with
  ``LoadShardFrames`` in place of the video Init/sample/decode transforms.
  Caption time windows are dropped (frames span the whole video).

``--workers`` processes pack one shard each; a shard that is complete (its
``.tar`` and ``_stats.json`` exist and list the same items) is skipped, so a
rerun after an interrupt continues where it stopped. The final check reads
every shard back through :class:`~mmallinone.datasets.VideoTextShardDataset`
and decodes one frame of every sample (``--no-check`` skips it); the exit
status is 1 if a sample is missing or fails to decode.

Shards (a video2dataset download of Panda-70M, say) are a dataset too:
with a config whose dataset is a ``VideoTextShardDataset``, ``--mode
transcode`` re-packs them into small, fast shards (the JSON fields are
kept).

Example::

    python tools/data/make_shards.py configs/allinone/pretrain_ti_demo.py \\
        data/shards/demo --mode transcode --short-side 128 --fps 8 \\
        --samples-per-shard 2 --workers 2
"""
import argparse
import hashlib
import io
import json
import os
import os.path as osp
import sys
import tarfile
import time
from fractions import Fraction
from typing import Dict, Iterable, List, Tuple

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

#: data-info fields that are not copied into the JSON member as they are
_INTERNAL = {'sample_idx', 'filename', 'text', 'captions', 'caption_idx',
             'clip_window', 'clip_windows', 'modality', 'start_index',
             'caption_path', 'candidates', 'video_id',
             # VideoTextShardDataset (re-packing shards)
             'shard', 'key', 'video', 'frames', 'shard_meta'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config whose dataset to pack')
    parser.add_argument('out', help='output folder of the shards')
    parser.add_argument('--split', default='train',
                        choices=['train', 'val', 'test'],
                        help='which <split>_dataloader.dataset to pack')
    parser.add_argument('--subset', type=int, default=None,
                        help='pack only the N-th dataset of a '
                        'ConcatDataset (e.g. 0: WebVid, 1: HowTo100M of the '
                        'pre-training recipe)')
    parser.add_argument('--mode', default='copy',
                        choices=['copy', 'transcode', 'frames'])
    parser.add_argument('--group-by', default='video',
                        choices=['video', 'sample'],
                        help='one shard sample per video (its captions '
                        'together) or per data info')
    parser.add_argument('--samples-per-shard', type=int, default=1000)
    parser.add_argument('--workers', type=int, default=1,
                        help='packing processes (1: this process)')
    parser.add_argument('--short-side', type=int, default=256,
                        help='transcode/frames: short side in pixels (0: '
                        'keep)')
    parser.add_argument('--fps', type=float, default=8.,
                        help='transcode: highest frame rate (0: keep)')
    parser.add_argument('--keyint', type=float, default=2.,
                        help='transcode: seconds between keyframes')
    parser.add_argument('--crf', type=int, default=23,
                        help='transcode: x264 constant rate factor')
    parser.add_argument('--preset', default='veryfast',
                        help='transcode: x264 preset')
    parser.add_argument('--max-seconds', type=float, default=0.,
                        help='transcode: keep the first N seconds (0: all)')
    parser.add_argument('--num-frames', type=int, default=8,
                        help='frames: K frames per video')
    parser.add_argument('--jpeg-quality', type=int, default=90)
    parser.add_argument('--limit', type=int, default=0,
                        help='pack only the first N items (0: all)')
    parser.add_argument('--no-check', action='store_true',
                        help='skip reading every shard back at the end')
    parser.add_argument('--check-backend', default='auto',
                        help='decoder of the final check (SafeVideoInit '
                        'backend: auto, decord, pyav, torchcodec)')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='override config keys, key=value (e.g. '
                        'train_dataloader.dataset.data_root=...)')
    return parser.parse_args(argv)


# ---------------------------------------------------------------- items
def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(type(value).__name__)


def _leaf_datasets(dataset) -> List:
    subs = getattr(dataset, 'datasets', None)
    if subs is None:
        return [dataset]
    return [d for s in subs for d in _leaf_datasets(s)]


def build_dataset(config: str, split: str, cfg_options: Iterable[str] = ()):
    """Build ``<split>_dataloader.dataset`` of ``config`` without pipeline."""
    from mmengine.config import Config, DictAction
    from mmengine.registry import init_default_scope

    import mmallinone  # noqa: F401
    import mmallinone.datasets  # noqa: F401
    from mmallinone.registry import DATASETS

    cfg = Config.fromfile(config)
    if cfg_options:
        action = DictAction(option_strings=[], dest='x')
        ns = argparse.Namespace()
        action(None, ns, list(cfg_options))
        cfg.merge_from_dict(ns.x)
    init_default_scope(cfg.get('default_scope', 'mmallinone'))
    key = f'{split}_dataloader'
    if cfg.get(key) is None:
        raise KeyError(f'{config} has no {key}')
    ds_cfg = cfg[key]['dataset']

    def strip(c):
        c = dict(c)
        if 'datasets' in c:
            c['datasets'] = [strip(d) for d in c['datasets']]
        elif 'dataset' in c:
            c['dataset'] = strip(c['dataset'])
        else:
            c['pipeline'] = []
            c.pop('num_false_videos', None)
        return c

    return DATASETS.build(strip(ds_cfg))


def collect_items(dataset, group_by: str = 'video') -> List[dict]:
    """One item per video (or data info): filename, captions, fields."""
    items: List[dict] = []
    by_file: Dict[str, dict] = {}
    for ds in _leaf_datasets(dataset):
        for idx in range(len(ds)):
            info = ds.get_data_info(idx)
            if 'shard' not in info and hasattr(ds, 'load_sample_annotation'):
                info = ds.load_sample_annotation(info)  # e.g. HowTo100M
            caps = info.get('captions')
            if caps is None:
                caps = [info['text']] if 'text' in info else []
            windows = info.get('clip_windows')
            if windows is None and 'clip_window' in info:
                windows = [info['clip_window']]
            extra = {}
            for k, v in info.items():
                if k in _INTERNAL:
                    continue
                try:
                    extra[k] = _jsonable(v)
                except TypeError:
                    continue
            extra.update(_jsonable(info.get('shard_meta', {})))
            if 'candidates' in info:
                extra['options'] = list(info['candidates'])
            fname = info['filename']
            if group_by == 'video' and fname in by_file:
                item = by_file[fname]
                for j, c in enumerate(caps):
                    if c not in item['captions']:
                        item['captions'].append(c)
                        if item.get('clip_windows') is not None:
                            item['clip_windows'].append(
                                list(windows[j]) if windows else None)
                continue
            item = dict(filename=fname, video_id=str(info.get(
                'video_id', osp.splitext(osp.basename(fname))[0])),
                captions=list(caps), extra=extra)
            if windows is not None:
                item['clip_windows'] = [list(map(float, w)) for w in windows]
            if 'shard' in info and 'video' in info:  # a shard's member
                item['range'] = [info['shard'], *info['video']]
            items.append(item)
            by_file[fname] = item
    for item in items:  # a video with windows for only some captions
        if item.get('clip_windows') is not None and \
                None in item['clip_windows']:
            item.pop('clip_windows')
    return items


# ---------------------------------------------------------------- media
def _even(x: float) -> int:
    return max(2, int(round(x / 2)) * 2)


def _target_size(w: int, h: int, short: int) -> Tuple[int, int]:
    if not short or min(w, h) <= short:
        return _even(w), _even(h)
    scale = short / min(w, h)
    return _even(w * scale), _even(h * scale)


def check_decodes(data: bytes) -> None:
    """Header check and one decoded frame (raises on failure)."""
    import av

    from mmallinone.datasets.transforms.video_check import check_container
    check_container(data)
    with av.open(io.BytesIO(data)) as c:
        if not c.streams.video:
            raise ValueError('no video stream')
        for _ in c.decode(video=0):
            return
    raise ValueError('no decodable frame')


def transcode(data: bytes, short_side: int, fps: float, keyint: float,
              crf: int, preset: str, max_seconds: float = 0.) -> bytes:
    """Re-encode to H.264 MP4 (no audio); see the module docstring."""
    import av
    from mmallinone.datasets.transforms.video_check import check_container
    check_container(data)
    out_buf = io.BytesIO()
    with av.open(io.BytesIO(data)) as inp:
        vs = inp.streams.video[0]
        src_fps = float(vs.average_rate or vs.guessed_rate or 25)
        out_fps = min(fps, src_fps) if fps else src_fps
        rate = Fraction(out_fps).limit_denominator(1001)
        w, h = _target_size(vs.codec_context.width,
                            vs.codec_context.height, short_side)
        gop = max(1, int(round(keyint * float(rate))))
        n = 0
        with av.open(out_buf, 'w', format='mp4') as out:
            os_ = out.add_stream('libx264', rate=rate)
            os_.width, os_.height, os_.pix_fmt = w, h, 'yuv420p'
            os_.codec_context.gop_size = gop
            os_.options = {
                'crf': str(crf), 'preset': preset,
                'x264-params': f'keyint={gop}:min-keyint={gop}:scenecut=0'}
            next_t = None
            for frame in inp.decode(vs):
                t = frame.time if frame.time is not None else n / src_fps
                if max_seconds and t >= max_seconds:
                    break
                if next_t is None:
                    next_t = t
                if t + 1e-6 < next_t:
                    continue  # dropped to reach out_fps
                next_t += 1.0 / float(rate)
                f = frame.reformat(width=w, height=h, format='yuv420p')
                f.pts = n
                f.time_base = Fraction(1, 1) / rate
                for pkt in os_.encode(f):
                    out.mux(pkt)
                n += 1
            for pkt in os_.encode(None):
                out.mux(pkt)
    if n == 0:
        raise ValueError('no decodable frame')
    return out_buf.getvalue()


def sample_frames(data: bytes, num: int, short_side: int,
                  quality: int) -> List[bytes]:
    """K JPEG frames at the middle of K equal segments of the video."""
    import av
    import cv2
    from mmallinone.datasets.transforms.video_check import check_container
    check_container(data)
    with av.open(io.BytesIO(data)) as c:
        vs = c.streams.video[0]
        total = sum(1 for p in c.demux(vs) if p.size)
    if total == 0:
        raise ValueError('no video frames')
    seg = total / num
    wanted = [min(total - 1, int(seg * i + seg / 2)) for i in range(num)]
    out: Dict[int, bytes] = {}
    with av.open(io.BytesIO(data)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i > wanted[-1]:
                break
            if i not in wanted:
                continue
            img = frame.to_ndarray(format='bgr24')
            h, w = img.shape[:2]
            tw, th = _target_size(w, h, short_side)
            if (tw, th) != (w, h):
                img = cv2.resize(img, (tw, th), interpolation=cv2.INTER_AREA)
            ok, enc = cv2.imencode('.jpg', img,
                                   [cv2.IMWRITE_JPEG_QUALITY, quality])
            if not ok:
                raise ValueError(f'cannot encode frame {i}')
            out[i] = enc.tobytes()
    if len(out) < len(set(wanted)):
        raise ValueError(f'decoded {len(out)} of the {len(set(wanted))} '
                         'frames sampled from the demuxed frame count')
    return [out[i] for i in wanted]


# ---------------------------------------------------------------- shards
def _items_digest(items: List[dict]) -> str:
    return hashlib.sha1(json.dumps(items, sort_keys=True).encode()
                        ).hexdigest()


def _add(tf: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    tf.addfile(info, io.BytesIO(data))


def write_shard(job: Tuple[int, List[dict], str, dict]) -> dict:
    """Pack one shard (in a worker); return its stats."""
    from mmengine import fileio

    import mmallinone  # noqa: F401  (fsspec backend for remote sources)
    from mmallinone.fileio import read_range
    shard_id, items, out_dir, opts = job
    name = f'{shard_id:05d}'
    tar_path = osp.join(out_dir, name + '.tar')
    stats_path = osp.join(out_dir, name + '_stats.json')
    digest = _items_digest(items)
    if osp.isfile(tar_path) and osp.isfile(stats_path):
        with open(stats_path) as f:
            stats = json.load(f)
        if stats.get('items_digest') == digest:
            stats['resumed'] = True
            return stats
    t0 = time.perf_counter()
    skipped, written, in_bytes = [], 0, 0
    tmp = tar_path + f'.tmp-{os.getpid()}'
    with tarfile.open(tmp, 'w', format=tarfile.USTAR_FORMAT) as tf:
        for j, item in enumerate(items):
            key = f'{name}{j:04d}'
            try:
                if 'range' in item:  # re-packing shards
                    data = read_range(*item['range'])
                else:
                    data = fileio.get(item['filename'])
                in_bytes += len(data)
                mode = opts['mode']
                if mode == 'copy':
                    check_decodes(data)
                    ext = osp.splitext(item['filename'])[1].lstrip('.') \
                        or 'mp4'
                    media = [(f'{key}.{ext.lower()}', data)]
                elif mode == 'transcode':
                    media = [(f'{key}.mp4', transcode(
                        data, opts['short_side'], opts['fps'],
                        opts['keyint'], opts['crf'], opts['preset'],
                        opts['max_seconds']))]
                else:
                    frames = sample_frames(data, opts['num_frames'],
                                           opts['short_side'],
                                           opts['jpeg_quality'])
                    media = [(f'{key}.{i}.jpg', b)
                             for i, b in enumerate(frames)]
            except Exception as err:  # noqa: BLE001 - recorded in manifest
                skipped.append(dict(filename=item['filename'],
                                    reason=f'{type(err).__name__}: {err}'))
                continue
            meta = dict(item['extra'], video_id=item['video_id'],
                        source=item['filename'],
                        caption=item['captions'][0] if item['captions']
                        else '', captions=item['captions'])
            if item.get('clip_windows') is not None and \
                    opts['mode'] != 'frames':
                meta['clip_windows'] = item['clip_windows']
            for member, blob in media:
                _add(tf, member, blob)
            _add(tf, f'{key}.txt', meta['caption'].encode('utf-8'))
            _add(tf, f'{key}.json',
                 json.dumps(meta, ensure_ascii=False).encode('utf-8'))
            written += 1
    os.replace(tmp, tar_path)
    stats = dict(shard=name + '.tar', items=len(items), samples=written,
                 bytes=os.path.getsize(tar_path), input_bytes=in_bytes,
                 skipped=skipped, seconds=round(time.perf_counter() - t0, 2),
                 items_digest=digest)
    with open(stats_path + '.tmp', 'w') as f:
        json.dump(stats, f, indent=1)
    os.replace(stats_path + '.tmp', stats_path)
    return stats


def check_shards(out_dir: str, mode: str, backend: str = 'auto') -> dict:
    """Read every sample back through the real dataset and decode it."""
    from mmengine.registry import init_default_scope

    import mmallinone.datasets  # noqa: F401
    from mmallinone.datasets import VideoTextShardDataset
    init_default_scope('mmallinone')
    if mode == 'frames':
        pipeline = [dict(type='LoadShardFrames', clip_len=1, test_mode=True)]
    else:
        pipeline = [
            dict(type='SafeVideoInit', backend=backend),
            dict(type='mmaction.UniformSample', clip_len=1, num_clips=1,
                 test_mode=True),
            dict(type='VideoDecode')
        ]
    ds = VideoTextShardDataset(
        shards=osp.join(out_dir, '*.tar'), ann_index=False,
        pipeline=pipeline, max_skip_ratio=1.0, skip_warmup=1 << 30)
    failed = []
    for i in range(len(ds)):
        if ds._load(i) is None:
            failed.append(ds.get_data_info(i)['filename'])
    return dict(samples=len(ds), failed=failed,
                truncated_shards=ds.num_truncated_shards,
                lost_samples=ds.num_lost_samples)


def main(argv=None) -> int:
    args = parse_args(argv)
    from tqdm import tqdm
    os.makedirs(args.out, exist_ok=True)
    t0 = time.perf_counter()
    dataset = build_dataset(args.config, args.split, args.cfg_options)
    if args.subset is not None:
        leaves = _leaf_datasets(dataset)
        if not 0 <= args.subset < len(leaves):
            print(f'make_shards: --subset {args.subset} but the dataset has '
                  f'{len(leaves)} parts', file=sys.stderr)
            return 2
        dataset = leaves[args.subset]
    items = collect_items(dataset, args.group_by)
    if args.limit:
        items = items[:args.limit]
    if not items:
        print('make_shards: the dataset has no items', file=sys.stderr)
        return 1
    opts = dict(mode=args.mode, short_side=args.short_side, fps=args.fps,
                 keyint=args.keyint, crf=args.crf, preset=args.preset,
                 max_seconds=args.max_seconds, num_frames=args.num_frames,
                 jpeg_quality=args.jpeg_quality)
    n = max(1, args.samples_per_shard)
    jobs = [(i, items[s:s + n], args.out, opts)
            for i, s in enumerate(range(0, len(items), n))]
    results = []
    bar = tqdm(total=len(items), unit='video', desc='make_shards')
    if args.workers <= 1:
        for job in jobs:
            results.append(write_shard(job))
            bar.update(len(job[1]))
    else:
        import multiprocessing as mp
        # fork (Linux, like PyTorch's DataLoader): no re-import per worker
        method = 'fork' if 'fork' in mp.get_all_start_methods() else 'spawn'
        with mp.get_context(method).Pool(args.workers) as pool:
            for stats in pool.imap_unordered(write_shard, jobs):
                results.append(stats)
                bar.update(stats['items'])
    bar.close()
    results.sort(key=lambda s: s['shard'])
    manifest = dict(
        config=args.config, split=args.split, mode=args.mode,
        group_by=args.group_by, options=opts,
        num_items=len(items),
        num_samples=sum(s['samples'] for s in results),
        num_skipped=sum(len(s['skipped']) for s in results),
        num_shards=len(results),
        num_resumed_shards=sum(bool(s.get('resumed')) for s in results),
        bytes=sum(s['bytes'] for s in results),
        input_bytes=sum(s['input_bytes'] for s in results),
        skipped=[x for s in results for x in s['skipped']],
        shards=[{k: v for k, v in s.items()
                 if k not in ('skipped', 'items_digest', 'resumed')}
                for s in results],
        seconds=round(time.perf_counter() - t0, 2))
    status = 0
    if not args.no_check:
        check = check_shards(args.out, args.mode, args.check_backend)
        manifest['check'] = check
        if check['samples'] != manifest['num_samples'] or check['failed'] \
                or check['truncated_shards'] or check['lost_samples']:
            status = 1
    with open(osp.join(args.out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    print(f'make_shards: {manifest["num_samples"]} samples in '
          f'{manifest["num_shards"]} shards ({manifest["bytes"] / 1e6:.1f} '
          f'MB, from {manifest["input_bytes"] / 1e6:.1f} MB), '
          f'{manifest["num_skipped"]} skipped, '
          f'{manifest["num_resumed_shards"]} shards already complete'
          + ('' if args.no_check else
             f'; check: {manifest["check"]["samples"]} read back, '
             f'{len(manifest["check"]["failed"])} failed') +
          f' -> {osp.join(args.out, "manifest.json")}')
    return status


if __name__ == '__main__':
    sys.exit(main())
