"""Generate the synthetic motion-direction benchmark.

Each clip is ``S`` frames of a strip of ``W`` patch cells (``P x W*P``
pixels): a noisy background of one random colour and one block of a named
colour filling exactly one cell, which moves one cell per frame to the left
or to the right, wrapping around, from a uniformly random start cell. Every
single frame has the same distribution for both directions, so only a model
that compares frames can beat chance.

Videos are written losslessly (FFV1 in an mp4 container, decodable by decord
through the normal pipeline) with annotations in the generic video-text
JSONL format::

    {"video": "train/000000.mp4", "caption": "a red block moving to the left",
     "label": 0, "options": ["a red block moving to the left",
                             "a red block moving to the right"],
     "answer": 0, "id": "train_000000"}

``label`` 0 = left, 1 = right; ``options`` are the true caption and the
opposite-direction caption in random order, ``answer`` the index of the true
one.

Example::

    python tools/data/synthetic/generate_motion.py --out data/synthetic_motion \\
        --train 20000 --test 1000 --seed 0
"""
import argparse
import json
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np
from mmengine.utils import track_iter_progress

#: Named block colours (RGB); the caption names the colour.
COLOURS: Dict[str, Tuple[int, int, int]] = {
    'red': (220, 30, 30),
    'green': (30, 190, 40),
    'blue': (30, 60, 220),
    'yellow': (235, 220, 40),
    'cyan': (40, 210, 220),
    'magenta': (210, 40, 200),
    'white': (245, 245, 245),
    'black': (15, 15, 15),
    'orange': (245, 140, 20),
    'purple': (120, 40, 170),
}
DIRECTIONS = ('left', 'right')


def make_clip(rng: np.random.Generator, cells: int, frames: int,
              patch: int) -> Tuple[np.ndarray, int, str]:
    """One clip: frames ``(S, P, W*P, 3)`` uint8 RGB, label, colour name.

    The background colour is drawn until it is far from the block colour
    (L1 distance > 150), so the block stays visible after the noise.
    """
    name = list(COLOURS)[rng.integers(len(COLOURS))]
    block = np.array(COLOURS[name], dtype=np.int16)
    while True:
        background = rng.integers(0, 256, 3).astype(np.int16)
        if np.abs(background - block).sum() > 150:
            break
    label = int(rng.integers(2))
    step = -1 if label == 0 else 1
    start = int(rng.integers(cells))
    height, width = patch, cells * patch
    clip = np.empty((frames, height, width, 3), dtype=np.uint8)
    for t in range(frames):
        noise = rng.integers(-20, 21, (height, width, 3))
        frame = np.clip(background + noise, 0, 255)
        cell = (start + step * t) % cells
        frame[:, cell * patch:(cell + 1) * patch] = block
        clip[t] = frame.astype(np.uint8)
    return clip, label, name


def write_video(path: str, clip: np.ndarray, fps: int = 3) -> None:
    """Write RGB frames losslessly (FFV1 in mp4)."""
    height, width = clip.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'FFV1'), fps,
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write FFV1 video to {path}')
    for frame in clip:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def caption(colour: str, label: int) -> str:
    article = 'an' if colour[0] in 'aeiou' else 'a'
    return f'{article} {colour} block moving to the {DIRECTIONS[label]}'


def generate_split(out: str, split: str, num: int, rng: np.random.Generator,
                   cells: int, frames: int, patch: int) -> List[dict]:
    """Write ``num`` clips of a split and return their annotation rows."""
    os.makedirs(osp.join(out, split), exist_ok=True)
    rows = []
    for i in (track_iter_progress(range(num)) if num >= 100 else range(num)):
        clip, label, colour = make_clip(rng, cells, frames, patch)
        rel = f'{split}/{i:06d}.mp4'
        write_video(osp.join(out, rel), clip)
        true, wrong = caption(colour, label), caption(colour, 1 - label)
        answer = int(rng.integers(2))
        options = [true, wrong] if answer == 0 else [wrong, true]
        rows.append(
            dict(video=rel, caption=true, label=label, options=options,
                 answer=answer, id=f'{split}_{i:06d}'))
    with open(osp.join(out, f'{split}.jsonl'), 'w') as f:
        for row in rows:
            f.write(json.dumps(row) + '\n')
    return rows


def generate(out: str, train: int, test: int, seed: int = 0, cells: int = 8,
             frames: int = 3, patch: int = 8) -> dict:
    """Generate both splits; returns the meta dict also written to JSON."""
    if cells < 3:
        raise ValueError('cells must be >= 3 (with 2 cells left == right)')
    rng = np.random.default_rng(seed)
    generate_split(out, 'train', train, rng, cells, frames, patch)
    generate_split(out, 'test', test, rng, cells, frames, patch)
    meta = dict(train=train, test=test, seed=seed, cells=cells,
                frames=frames, patch=patch, height=patch,
                width=cells * patch, classes=list(DIRECTIONS))
    with open(osp.join(out, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=2)
    return meta


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate the synthetic motion-direction benchmark')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--train', type=int, default=20000)
    parser.add_argument('--test', type=int, default=1000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cells', type=int, default=8, help='strip width W')
    parser.add_argument('--frames', type=int, default=3, help='frames S')
    parser.add_argument('--patch', type=int, default=8, help='patch size P')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    meta = generate(args.out, args.train, args.test, args.seed, args.cells,
                    args.frames, args.patch)
    print(f'wrote {meta["train"]} train and {meta["test"]} test clips of '
          f'{meta["frames"]} frames {meta["height"]}x{meta["width"]} to '
          f'{args.out}')


if __name__ == '__main__':
    main()
