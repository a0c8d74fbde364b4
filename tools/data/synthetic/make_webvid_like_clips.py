"""Generate WebVid/Panda-like H.264 clips from the demo videos (benchmarks).

Each clip is a window of one demo video, cropped to the 596:336 aspect
ratio at a random position, scaled to 596x336 (WebVid's common size),
mirrored at random, played from a random start and looped (forward, then
backward, so the loop has no cut) to a random duration of
``--min-seconds``..``--max-seconds``, and encoded with PyAV's libx264 at 30
fps with a fixed keyframe every ``--keyint`` seconds (``sc_threshold=0``),
B-frames on, yuv420p, ``+faststart`` -- the shape of a web-scale
pre-training clip. Written next to them: ``annotations.jsonl`` in the
generic video-text format (``{"video": ..., "caption": [...]}``), so
``VideoTextDataset`` and ``tools/data/make_shards.py`` read the set with the
demo configs.

Example::

    python tools/data/synthetic/make_webvid_like_clips.py \\
        --out data/bench_clips --num 100 --seed 0
"""
import argparse
import json
import os
import os.path as osp
from fractions import Fraction
from typing import List, Optional

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
DEMO = osp.join(REPO, 'data', 'demo')
SOURCES = ['arm_wrestling.mp4', 'basketball_gym.mp4', 'pool_cleaning.mp4',
           'two_men_greeting_1080p.mp4', 'eye_makeup.avi']


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num', type=int, default=100, help='clips')
    parser.add_argument('--min-seconds', type=float, default=10.)
    parser.add_argument('--max-seconds', type=float, default=20.)
    parser.add_argument('--width', type=int, default=596)
    parser.add_argument('--height', type=int, default=336)
    parser.add_argument('--fps', type=int, default=30)
    parser.add_argument('--keyint', type=float, default=2.,
                        help='seconds between keyframes')
    parser.add_argument('--crf', type=int, default=23)
    parser.add_argument('--preset', default='veryfast')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def load_source(path: str) -> List[np.ndarray]:
    """All frames of a demo video as RGB arrays (decoded with PyAV)."""
    import av
    with av.open(path) as container:
        return [f.to_ndarray(format='rgb24')
                for f in container.decode(video=0)]


def crop_resize(frame: np.ndarray, box: tuple, size: tuple) -> np.ndarray:
    """Crop ``box`` (y0, x0, h, w) and resize to ``size`` (w, h)."""
    import cv2
    y0, x0, h, w = box
    return cv2.resize(frame[y0:y0 + h, x0:x0 + w], size,
                      interpolation=cv2.INTER_AREA)


def encode(frames, path: str, fps: int, keyint: float, crf: int,
           preset: str) -> None:
    """Encode RGB frames to an H.264 MP4 with a fixed keyframe interval."""
    import av
    gop = max(1, int(round(keyint * fps)))
    with av.open(path, 'w', options={'movflags': '+faststart'}) as out:
        stream = out.add_stream('libx264', rate=Fraction(fps))
        first = None
        for img in frames:
            if first is None:
                first = img
                stream.height, stream.width = img.shape[:2]
                stream.pix_fmt = 'yuv420p'
                stream.codec_context.gop_size = gop
                stream.options = {
                    'crf': str(crf), 'preset': preset,
                    'x264-params': f'keyint={gop}:min-keyint={gop}:'
                                   'scenecut=0:bframes=3'}
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def make_clip(src: List[np.ndarray], rng: np.random.Generator,
              args: argparse.Namespace) -> List[np.ndarray]:
    """Frames of one clip (cropped, scaled, mirrored, looped)."""
    h, w = src[0].shape[:2]
    aspect = args.width / args.height
    scale = rng.uniform(0.7, 1.0)
    ch = int(min(h, w / aspect) * scale)
    cw = int(ch * aspect)
    box = (int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1)),
           ch, cw)
    flip = bool(rng.integers(2))
    # source frames resampled to the target fps (assumes ~25-30 fps input)
    base = [crop_resize(f, box, (args.width, args.height)) for f in src]
    if flip:
        base = [f[:, ::-1].copy() for f in base]
    loop = base + base[-2:0:-1]  # ping-pong: no cut at the loop point
    n = int(round(rng.uniform(args.min_seconds, args.max_seconds) * args.fps))
    start = int(rng.integers(len(loop)))
    return [loop[(start + i) % len(loop)] for i in range(n)]


def main(argv: Optional[List[str]] = None) -> str:
    """Write the clips and ``annotations.jsonl``; return the folder."""
    args = parse_args(argv)
    os.makedirs(osp.join(args.out, 'videos'), exist_ok=True)
    captions = {v['video']: v['captions'] for v in json.load(
        open(osp.join(DEMO, 'captions.json')))['videos']}
    rng = np.random.default_rng(args.seed)
    cache = {}
    lines = []
    for i in range(args.num):
        name = SOURCES[i % len(SOURCES)]
        if name not in cache:
            cache[name] = load_source(osp.join(DEMO, name))
        rel = f'videos/{i:05d}.mp4'
        path = osp.join(args.out, rel)
        if not osp.isfile(path):  # rerun: keep what is there
            frames = make_clip(cache[name], rng, args)
            encode(frames, path + '.tmp.mp4', args.fps, args.keyint,
                   args.crf, args.preset)
            os.replace(path + '.tmp.mp4', path)
        else:
            make_clip(cache[name], rng, args)  # keep the random stream
        caps = captions.get(name) or ['a video']
        lines.append(json.dumps(dict(video=rel, caption=list(caps))))
        print(f'{i + 1}/{args.num} {rel}', flush=True)
    with open(osp.join(args.out, 'annotations.jsonl'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return args.out


if __name__ == '__main__':
    main()
