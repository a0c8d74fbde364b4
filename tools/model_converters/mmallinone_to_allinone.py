"""Convert an mmallinone checkpoint back to the authors' key layout.

    python tools/model_converters/mmallinone_to_allinone.py \
        work_dirs/x/iter_1000.pth allinone_layout.ckpt [--with-rank-output]

Writes ``{'state_dict': ...}`` (no Lightning hyper-parameters), or a
safetensors file when ``dst`` ends with ``.safetensors``. The source may be
a ``.safetensors`` file or a pretrained folder too. The VTM head
becomes ``itm_score`` (``--vtm-name vtm_score`` for the co-training tree);
``--with-rank-output`` adds ``rank_output`` as a copy of its match row.
"""
import argparse
import os
import os.path as osp

import torch

import mmallinone  # noqa: F401,I001
from mmallinone.checkpoint import (convert_mmallinone_to_allinone,
                                   save_state_dict)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='mmallinone checkpoint')
    parser.add_argument(
        'dst', help='output .ckpt, or .safetensors (tensors only)')
    parser.add_argument('--vtm-name', default='itm_score',
                        choices=['itm_score', 'vtm_score'])
    parser.add_argument('--with-rank-output', action='store_true')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='fully unpickle a checkpoint outside the weights-only '
        'allow-list (can run arbitrary code: trusted files only)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    # our loader: weights-only (plus MMEngine's allow-list), full unpickling
    # only with --trust-checkpoint
    import contextlib

    from mmallinone.checkpoint import (load_from_local_safe,
                                       trusted_checkpoints)
    with (trusted_checkpoints() if args.trust_checkpoint
          else contextlib.nullcontext()):
        checkpoint = load_from_local_safe(args.src, map_location='cpu')
    state_dict, report = convert_mmallinone_to_allinone(
        checkpoint, vtm_name=args.vtm_name,
        with_rank_output=args.with_rank_output)
    print(report.summary())
    if args.dst.endswith('.safetensors'):
        save_state_dict(state_dict, args.dst)
    else:
        os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
        torch.save(dict(state_dict=state_dict), args.dst)
    print(f'saved {len(state_dict)} tensors to {args.dst}')


if __name__ == '__main__':
    main()
