"""Web demo: text-to-video search, question answering and cloze in a page.

Example (the demo checkpoints of README; the page opens on
http://127.0.0.1:7860)::

    python tools/demo/app.py configs/allinone/retrieval_ti_demo.py \
        work_dirs/retrieval_ti_demo/iter_20.pth --videos data/demo \
        --model configs/allinone/pretrain_ti_demo.py \
        work_dirs/pretrain_ti_demo/iter_60.pth

Tabs: **Search** (the folder is indexed once through the embedding cache and
a FAISS index; new or changed files are picked up at the next search; with
``--window SEC [--stride SEC]`` long videos are indexed as sliding windows
and each result plays from its matched time), **Question answering** on a
chosen video (open-ended with a QA model, or multiple choice with any model
with a VTM or multiple-choice head) and **Cloze** (``[MASK]`` words and
their attention heat maps; needs a pre-training model). Each task is served
by the first model (CONFIG CKPT, then every ``--model``) that can do it.

The server binds 127.0.0.1 (this machine) unless ``--host`` says otherwise.
``--share`` (off by default) asks Gradio for a public ``gradio.live`` link:
anyone with the link can then query the models and play the videos, so
leave it off unless that is intended.
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='MMAllInOne web demo')
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--videos', required=True, help='folder of videos')
    parser.add_argument(
        '--model', nargs=2, action='append', default=[],
        metavar=('CONFIG', 'CKPT'),
        help='another model (e.g. a QA or pre-training one); repeatable')
    parser.add_argument('--window', type=float,
                        help='index videos as sliding windows of SEC s')
    parser.add_argument('--stride', type=float,
                        help='seconds between windows (default: --window)')
    parser.add_argument('--top-k', type=int, default=5,
                        help='most search results shown')
    parser.add_argument('--cache', help='embedding cache (default: '
                        'work_dirs/demo_app/<folder name>_<hash>.pth)')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to bind (default: this machine only)')
    parser.add_argument('--port', type=int, help='port (default: 7860 or '
                        'the next free one)')
    parser.add_argument('--share', action='store_true',
                        help='public gradio.live link (off by default)')
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def default_cache(video_dir: str) -> str:
    """``work_dirs/demo_app/<folder name>_<hash of its path>.pth``."""
    import hashlib
    path = osp.abspath(video_dir)
    digest = hashlib.sha1(path.encode()).hexdigest()[:8]
    return osp.join('work_dirs', 'demo_app',
                    f'{osp.basename(path.rstrip(osp.sep))}_{digest}.pth')


def main(argv: Optional[Sequence[str]] = None, block: bool = True):
    """Load the models, index the folder and serve the page."""
    args = parse_args(argv)
    import mmallinone  # noqa: F401,I001  (compat patches first)
    from mmallinone.demo import DemoContext, DemoError, launch
    cache = args.cache or default_cache(args.videos)
    try:
        ctx = DemoContext.from_files(
            [(args.config, args.checkpoint)] + [tuple(m) for m in args.model],
            args.videos, device=args.device, cache_file=cache,
            window=args.window, stride=args.stride, top_k=args.top_k)
    except DemoError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
    return launch(ctx, host=args.host, port=args.port, share=args.share,
                  block=block)


if __name__ == '__main__':
    main(sys.argv[1:])
