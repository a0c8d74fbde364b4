"""Convert an authors' All-in-One checkpoint (PyTorch-Lightning ``.ckpt``)
to mmallinone keys.

    python tools/model_converters/allinone_to_mmallinone.py \
        pretrained/all-in-one-base.ckpt checkpoints/allinone_b.pth

(``checkpoints/allinone_b.safetensors`` writes safetensors instead.)

Reports mapped / dropped / unmapped keys and the backbone arguments that fit
the checkpoint. The ``.ckpt`` is read weights-only (Lightning and sacred
objects are replaced by inert stand-ins); ``--trust`` allows full unpickling
of files that reference other classes. ``load_from='x.ckpt'`` also works
without converting (see docs/checkpoints.md).
"""
import argparse
import json
import os.path as osp

import mmallinone  # noqa: F401,I001
from mmallinone.checkpoint import (convert_allinone_to_mmallinone,
                                   load_allinone_release, release_hparams,
                                   save_state_dict, suggest_backbone_cfg)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='released .ckpt (or a state dict)')
    parser.add_argument(
        'dst', help='output .pth, or .safetensors (tensors only, no pickle)')
    parser.add_argument(
        '--head-map',
        nargs='*',
        default=[],
        metavar='RELEASED=OURS',
        help='extra prefix renames, e.g. vqa_classifier.=qa_head.classifier.'
        ' (empty OURS drops the prefix)')
    parser.add_argument(
        '--trust', action='store_true',
        help='allow full unpickling if the file needs it')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    head_map = {}
    for item in args.head_map:
        src, _, dst = item.partition('=')
        head_map[src] = dst or None
    checkpoint = load_allinone_release(args.src, trust=args.trust)
    state_dict, report = convert_allinone_to_mmallinone(checkpoint, head_map)
    hparams = release_hparams(checkpoint)
    suggested = suggest_backbone_cfg(state_dict, hparams)
    print(report.summary())
    print('suggested backbone arguments:', json.dumps(suggested))
    save_state_dict(
        state_dict, args.dst,
        meta=dict(
            converted_from='allinone_release',
            source=osp.basename(args.src),
            unmapped=report.unmapped,
            suggested_backbone=suggested,
            allinone_config=hparams))
    print(f'saved {len(state_dict)} tensors to {args.dst}')


if __name__ == '__main__':
    main()
