"""Make the demo image-text pairs of ``data/demo/cc3m`` from the demo videos.

Two frames per video (at 25 % and 75 % of its length), resized to a short
side of 224 px and saved as JPEG ``<row index>.jpg``, each paired with one
of the video's captions in CC3M's official ``Train_GCC-training.tsv``
layout (``caption<TAB>url``, no header; the URLs are placeholders)::

    python tools/data/cc3m/make_demo_frames.py data/demo data/demo/cc3m
"""
import argparse
import json
import os
import os.path as osp

import decord
from PIL import Image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('demo_dir', help='folder with captions.json')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--short-side', type=int, default=224)
    args = parser.parse_args()
    with open(osp.join(args.demo_dir, 'captions.json')) as f:
        videos = json.load(f)['videos']
    os.makedirs(args.out_dir, exist_ok=True)
    rows = []
    for video in videos:
        reader = decord.VideoReader(osp.join(args.demo_dir, video['video']))
        stem = osp.splitext(video['video'])[0]
        for k, frac in enumerate((0.25, 0.75)):
            frame = reader[int(len(reader) * frac)].asnumpy()
            img = Image.fromarray(frame)
            scale = args.short_side / min(img.size)
            img = img.resize((max(args.short_side, round(img.width * scale)),
                              max(args.short_side,
                                  round(img.height * scale))),
                             Image.BICUBIC)
            img.save(osp.join(args.out_dir, f'{len(rows)}.jpg'), quality=85)
            rows.append(f'{video["captions"][k]}\t'
                        f'https://example.com/demo/{stem}_{k}.jpg')
    with open(osp.join(args.out_dir, 'Train_GCC-training.tsv'), 'w') as f:
        f.write('\n'.join(rows) + '\n')
    print(f'wrote {len(rows)} images and Train_GCC-training.tsv to '
          f'{args.out_dir}')


if __name__ == '__main__':
    main()
