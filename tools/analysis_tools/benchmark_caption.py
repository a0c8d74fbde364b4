"""Caption decoding speed with and without the key/value cache.

Decodes the same clips with ``AllInOneCaptioner.generate`` twice per round,
``use_cache=True`` (the clip is encoded once; each new token runs the blocks
alone against cached visual and text keys/values) and ``use_cache=False``
(the whole joint path re-run on the prefix for every token), alternating
which goes first, and reports generated tokens per second and clips per
second of each (sums over rounds), the speed-up, and whether both produced
identical tokens. ``min_len = max_len`` by default so that every clip
generates the same number of tokens whatever the weights (an untrained
model would otherwise stop at random lengths).

Frames are the demo videos decoded once by the config's test pipeline (or
random frames with ``--random-frames``); decoding them is not timed.

Example::

    python tools/analysis_tools/benchmark_caption.py \\
        configs/allinone/caption_ti_demo.py --rounds 3 --max-len 20 \\
        --out work_dirs/benchmark_caption.json
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import sys
import time
from typing import List, Optional

import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?',
                        default=osp.join(REPO, 'configs', 'allinone',
                                         'caption_ti_demo.py'),
                        help='captioning config (default: the Ti demo)')
    parser.add_argument('--checkpoint', default=None,
                        help='weights (default: initialised weights)')
    parser.add_argument('--arch', default=None,
                        help='override the backbone arch (e.g. base)')
    parser.add_argument('--strategy', default='greedy',
                        choices=['greedy', 'beam'])
    parser.add_argument('--beam-size', type=int, default=3)
    parser.add_argument('--max-len', type=int, default=20)
    parser.add_argument('--min-len', type=int, default=None,
                        help='default: --max-len (fixed-length captions)')
    parser.add_argument('--batch-size', type=int, default=5,
                        help='clips per generate() call')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--random-frames', action='store_true')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', default=None, help='JSON result file')
    return parser.parse_args(argv)


def load_clips(model, batch_size: int, random_frames: bool) -> torch.Tensor:
    """Normalised clips ``(B, S, 3, H, W)`` (demo videos, cycled)."""
    from mmallinone.apis import video_inputs
    bb = model.backbone
    if random_frames:
        torch.manual_seed(0)
        return torch.randn(batch_size, bb.num_frames, 3, *bb.img_size)
    videos = sorted(glob.glob(osp.join(REPO, 'data', 'demo', '*.mp4')) +
                    glob.glob(osp.join(REPO, 'data', 'demo', '*.avi')))
    return torch.cat([
        video_inputs(model, videos[i % len(videos)])
        for i in range(batch_size)
    ])


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    import mmallinone  # noqa: F401,I001
    from mmallinone.apis import init_model
    opts = {}
    if args.arch:
        opts['model.backbone.arch'] = args.arch
    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=opts or None)
    clips = load_clips(model, args.batch_size, args.random_frames).to(
        args.device)
    decode = dict(strategy=args.strategy, beam_size=args.beam_size,
                  max_len=args.max_len,
                  min_len=args.min_len or args.max_len)
    model.generate(clips[:1], use_cache=True, **dict(decode, max_len=2,
                                                     min_len=1))  # warm-up
    totals = {True: dict(seconds=0.0, tokens=0.0, clips=0.0),
              False: dict(seconds=0.0, tokens=0.0, clips=0.0)}
    identical = True
    for r in range(args.rounds):
        order = (True, False) if r % 2 == 0 else (False, True)
        outs = {}
        for use_cache in order:
            start = time.perf_counter()
            outs[use_cache] = model.generate(clips, use_cache=use_cache,
                                             **decode)
            if args.device.startswith('cuda'):
                torch.cuda.synchronize()
            seconds = time.perf_counter() - start
            t = totals[use_cache]
            t['seconds'] += seconds
            t['tokens'] += sum(len(x) + 1 for x in outs[use_cache]['tokens'])
            t['clips'] += clips.shape[0]
        identical &= outs[True]['tokens'] == outs[False]['tokens']
    rows = {}
    for use_cache, t in totals.items():
        rows['cached' if use_cache else 'uncached'] = dict(
            tokens_per_s=t['tokens'] / t['seconds'],
            clips_per_s=t['clips'] / t['seconds'], **t)
    bb = model.backbone
    result = dict(
        config=osp.relpath(args.config, REPO) if osp.isabs(args.config)
        else args.config,
        arch=bb.arch_settings, frames=bb.num_frames,
        img_size=list(bb.img_size), decode=decode,
        batch_size=args.batch_size, rounds=args.rounds,
        results=rows,
        speedup=rows['cached']['tokens_per_s'] /
        rows['uncached']['tokens_per_s'],
        identical_tokens=bool(identical),
        machine=f'{platform.machine()} {platform.processor()}'.strip(),
        cpu_count=os.cpu_count(), threads=torch.get_num_threads(),
        device=args.device,
        load_avg=[round(v, 2) for v in os.getloadavg()])
    print(f'{"":10s} {"tokens/s":>10s} {"clips/s":>9s} {"seconds":>9s}')
    for name, row in rows.items():
        print(f'{name:10s} {row["tokens_per_s"]:10.2f} '
              f'{row["clips_per_s"]:9.3f} {row["seconds"]:9.2f}')
    print(f'speed-up {result["speedup"]:.2f}x, identical tokens: '
          f'{result["identical_tokens"]}, load average '
          f'{result["load_avg"]}')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main(sys.argv[1:])
