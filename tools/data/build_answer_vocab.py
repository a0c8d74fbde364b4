"""Build an open-ended QA answer vocabulary from the training answers.

The ``top_k`` most frequent training answers (ties broken alphabetically,
so the file is reproducible) are written as a JSON list; list index = label,
read by the QA datasets' ``answer_vocab``. Sizes of the paper:
MSRVTT-QA 1500, MSVD-QA 1000, TGIF-QA FrameQA 1540.

Examples::

    python tools/data/build_answer_vocab.py msrvtt_qa \\
        data/msrvtt/annotations/train_qa.json \\
        data/msrvtt/annotations/answer_vocab.json
    python tools/data/build_answer_vocab.py tgif_frameqa \\
        data/tgif/annotations/Train_frameqa_question.csv out.json --top-k 1540
"""
import argparse
import collections
import csv
import io
import json
from typing import Iterable, List

#: Default vocabulary size per dataset.
DEFAULT_TOP_K = dict(msrvtt_qa=1500, msvd_qa=1000, tgif_frameqa=1540)


def read_answers(dataset: str, path: str) -> List[str]:
    """All training answers of an official annotation file."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if dataset == 'tgif_frameqa':
        reader = csv.DictReader(io.StringIO(text), delimiter='\t')
        if 'answer' not in (reader.fieldnames or []):
            raise ValueError(f'{path}: no "answer" column')
        return [row['answer'].strip() for row in reader]
    stripped = text.lstrip()
    if stripped.startswith('['):
        rows = json.loads(text)
    else:  # JSON Lines (the authors' msrvtt_qa_train.jsonl)
        rows = [json.loads(line) for line in text.splitlines()
                if line.strip()]
    answers = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get('answer'),
                                                       str):
            raise ValueError(f'{path}: row {i} has no string "answer"')
        answers.append(row['answer'].strip())
    return answers


def build_vocab(answers: Iterable[str], top_k: int) -> List[str]:
    """The ``top_k`` most frequent answers, by count then alphabetically."""
    counts = collections.Counter(a for a in answers if a)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [a for a, _ in ranked[:top_k]]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dataset', choices=sorted(DEFAULT_TOP_K))
    parser.add_argument('train_file', help='official training annotations')
    parser.add_argument('out_file', help='output JSON list')
    parser.add_argument(
        '--top-k', type=int, default=None,
        help='vocabulary size (default: the paper\'s size for the dataset)')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    top_k = args.top_k or DEFAULT_TOP_K[args.dataset]
    answers = read_answers(args.dataset, args.train_file)
    vocab = build_vocab(answers, top_k)
    with open(args.out_file, 'w', encoding='utf-8') as f:
        json.dump(vocab, f, indent=0)
    vocab_set = set(vocab)
    covered = sum(a in vocab_set for a in answers)
    print(f'{len(vocab)} answers written to {args.out_file}; they cover '
          f'{covered}/{len(answers)} training questions '
          f'({100.0 * covered / max(1, len(answers)):.2f}%)')


if __name__ == '__main__':
    main()
