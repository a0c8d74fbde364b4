"""Answer a question about one video.

Examples::

    # open-ended (answer classifier of a QA config; names from its answer
    # vocabulary, or --answer-vocab)
    python tools/demo/qa.py configs/allinone/vqa_ti_demo.py \
        work_dirs/vqa_ti_demo/iter_20.pth data/demo/pool_cleaning.mp4 \
        "what is the man cleaning?"

    # multiple choice (any model with a VTM head or a multiple-choice head)
    python tools/demo/qa.py configs/allinone/pretrain_ti_demo.py \
        work_dirs/pretrain_ti_demo/iter_60.pth data/demo/arm_wrestling.mp4 \
        "what are they doing?" --candidates "arm wrestling" "swimming"
"""
import argparse
import sys
from typing import Optional, Sequence


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description='Video question answering')
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('video', help='video file')
    parser.add_argument('question', help='the question ("" for caption '
                        'multiple choice)')
    parser.add_argument('--candidates', nargs='+',
                        help='candidate answers (multiple choice)')
    parser.add_argument('--answer-vocab',
                        help='answer vocabulary file (open-ended; default: '
                        'the config\'s)')
    parser.add_argument('--top-k', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Answer the question; prints and returns ``answer_question``'s dict."""
    args = parse_args(argv)
    import mmallinone  # noqa: F401,I001  (compat patches first)
    from mmallinone.apis import answer_question, init_model
    from mmallinone.datasets.qa.base import load_answer_vocab

    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    if args.answer_vocab:
        vocab = load_answer_vocab(args.answer_vocab)
        names = [''] * (max(vocab.values()) + 1)
        for answer, label in vocab.items():
            names[label] = answer
        model.answer_vocab = names
    result = answer_question(model, args.video, args.question,
                             candidates=args.candidates, top_k=args.top_k)
    print(f'video:    {args.video}')
    print(f'question: {args.question}')
    print(f'answer:   {result["answer"]}  (p={result["score"]:.3f})')
    for i, (answer, prob) in enumerate(result['top_k']):
        print(f'  {i + 1}. {prob:.3f}  {answer}')
    return result


if __name__ == '__main__':
    main(sys.argv[1:])
