"""Caption a video file with an All-in-One captioning model.

Examples::

    python tools/demo/caption.py configs/allinone/caption_ti_demo.py \
        work_dirs/caption_ti_demo/iter_80.pth data/demo/pool_cleaning.mp4

    # greedy, no key/value cache, longer captions
    python tools/demo/caption.py CONFIG CKPT video.mp4 --strategy greedy \
        --no-cache --max-len 30
"""
import argparse
import sys
from typing import Optional, Sequence


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description='Video captioning')
    parser.add_argument('config', help='captioning config')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('videos', nargs='+', help='video file(s)')
    parser.add_argument('--strategy', choices=['greedy', 'beam'],
                        help='decoding (default: the config\'s)')
    parser.add_argument('--beam-size', type=int)
    parser.add_argument('--max-len', type=int)
    parser.add_argument('--min-len', type=int)
    parser.add_argument('--length-penalty', type=float)
    parser.add_argument('--repetition-penalty', type=float)
    parser.add_argument('--no-repeat-ngram-size', type=int)
    parser.add_argument('--no-cache', action='store_true',
                        help='re-run the joint path for every token')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> list:
    """Caption every video; prints and returns ``caption_video``'s dicts."""
    args = parse_args(argv)
    import mmallinone  # noqa: F401,I001  (compat patches first)
    from mmallinone.apis import caption_video, init_model

    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    overrides = {
        key: getattr(args, key)
        for key in ('strategy', 'beam_size', 'max_len', 'min_len',
                    'length_penalty', 'repetition_penalty',
                    'no_repeat_ngram_size')
        if getattr(args, key) is not None
    }
    results = []
    for video in args.videos:
        result = caption_video(model, video,
                               use_cache=False if args.no_cache else None,
                               **overrides)
        print(f'{video}: {result["caption"]}  '
              f'(log p / len = {result["score"]:.3f})')
        results.append(result)
    return results


if __name__ == '__main__':
    main(sys.argv[1:])
