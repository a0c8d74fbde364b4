"""Convert a timm ViT/DeiT or mmpretrain VisionTransformer checkpoint to an
mmallinone backbone initialisation.

    python tools/model_converters/vit_to_mmallinone.py \
        jx_vit_base_p16_224-80ecf9dd.pth checkpoints/vit_b_in21k.pth

Either path may end with ``.safetensors`` (timm's newer weights; a
safetensors output is read without unpickling).

Covers ``vit_base_patch16_224`` (and ImageNet-21k variants),
``deit_tiny/small_patch16_224``, ``deit_small_distilled_patch16_224``
(``dist_token``: build the backbone with ``with_dist_token=True``) and
mmpretrain ``VisionTransformer`` / ``ImageClassifier`` checkpoints. Output
keys are ``backbone.*`` (``--prefix ''`` for a bare backbone); a position
table of another grid is resized when the model loads it.
"""
import argparse
import os.path as osp

import torch

import mmallinone  # noqa: F401,I001
from mmallinone.checkpoint import convert_vit_to_mmallinone, save_state_dict


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'src', help='timm / mmpretrain ViT checkpoint (.pth/.bin, read '
        'weights-only, or .safetensors)')
    parser.add_argument(
        'dst', help='output .pth, or .safetensors (tensors only, no pickle)')
    parser.add_argument('--prefix', default='backbone.',
                        help="prefix of output keys (default 'backbone.')")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.src.endswith('.safetensors'):
        from safetensors.torch import load_file
        checkpoint = load_file(args.src)
    else:
        checkpoint = torch.load(args.src, map_location='cpu',
                                weights_only=True)
    state_dict, report = convert_vit_to_mmallinone(checkpoint, args.prefix)
    print(report.summary())
    save_state_dict(state_dict, args.dst,
                    meta=dict(converted_from='vit',
                              source=osp.basename(args.src)))
    print(f'saved {len(state_dict)} tensors to {args.dst}')


if __name__ == '__main__':
    main()
