"""Shared parts of the video QA and multiple-choice datasets."""
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

from mmengine import fileio

from ..annotation import parse_json
from ..base import BaseVideoTextDataset

__all__ = [
    'load_answer_vocab', 'BaseVideoQADataset', 'BaseMultipleChoiceDataset'
]


def load_answer_vocab(path: str,
                      backend_args: Optional[dict] = None) -> Dict[str, int]:
    """Read an answer vocabulary ``answer -> label``.

    Accepted files:

    - ``.json``: a list of answers (list index = label, as written by
      ``tools/data/build_answer_vocab.py``), or a dict ``answer -> label``
      (the authors' ``*_ans2label.json``);
    - ``.txt``: one answer per line, line index = label (the authors'
      ``msvd_answer_set.txt``).

    Args:
        path (str): The vocabulary file.
        backend_args (dict, optional): mmengine file backend arguments.

    Returns:
        dict[str, int]: The vocabulary.
    """
    text = fileio.get_text(path, backend_args=backend_args)
    if path.endswith('.txt'):
        answers = [line.strip() for line in text.splitlines()]
        while answers and not answers[-1]:
            answers.pop()
        return {a: i for i, a in enumerate(answers)}
    data = parse_json(text, path, 'answer vocabulary')
    if isinstance(data, list):
        return {str(a): i for i, a in enumerate(data)}
    if isinstance(data, dict):
        return {str(a): int(i) for a, i in data.items()}
    raise ValueError(f'answer vocabulary {path}: expected a JSON list or '
                     f'dict, got {type(data).__name__}')


class _RowMixin:
    """Field access with errors naming file / line / field."""

    def field(self, row: Any, key: str, path: str, where,
              types: Sequence[type] = (str, )) -> Any:
        """``row[key]`` if present and of one of ``types``, else ``None``."""
        if not isinstance(row, dict):
            self.invalid(path, where, None,
                         f'expected an object, got {type(row).__name__}')
            return None
        if key not in row:
            self.invalid(path, where, key, 'missing field')
            return None
        value = row[key]
        if not isinstance(value, tuple(types)) or isinstance(value, bool):
            self.invalid(
                path, where, key, 'expected ' +
                '/'.join(t.__name__ for t in types) +
                f', got {type(value).__name__}')
            return None
        if isinstance(value, str) and not value.strip():
            self.invalid(path, where, key, 'empty value')
            return None
        return value

    def parse_int(self, value: Any, path: str, where, key: str,
                  low: Optional[int] = None,
                  high: Optional[int] = None) -> Optional[int]:
        """Parse an int in ``[low, high)``, else report it."""
        try:
            out = int(str(value).strip())
        except (TypeError, ValueError):
            self.invalid(path, where, key,
                         f'expected an integer, got {value!r:.40}')
            return None
        if (low is not None and out < low) or (high is not None
                                                and out >= high):
            self.invalid(path, where, key,
                         f'{out} out of range [{low}, {high})')
            return None
        return out


class BaseVideoQADataset(_RowMixin, BaseVideoTextDataset):
    """Base of open-ended video QA datasets: question + answer label.

    Each sample's data info: ``filename``, ``video_id``, ``question`` (also
    as ``text``, read by ``TokenizeText``), ``answer`` (the raw string),
    ``label`` (the answer's index in ``answer_vocab``, or ``ignore_index``
    for an out-of-vocabulary answer), ``question_id`` when the file has one.
    ``PackVideoTextInputs`` turns ``label`` into ``gt_label``.

    Args:
        ann_file (str): The annotation file.
        answer_vocab (str, optional): Answer vocabulary file (see
            :func:`load_answer_vocab`; relative paths are joined with
            ``data_root``). None labels every answer ``ignore_index``
            (e.g. to inspect a split before a vocabulary exists).
        ignore_index (int): Label of OOV answers. Defaults to -100.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 answer_vocab: Optional[str] = None,
                 ignore_index: int = -100,
                 **kwargs) -> None:
        data_root = kwargs.get('data_root', '') or ''
        if answer_vocab and data_root and not osp.isabs(answer_vocab):
            answer_vocab = osp.join(data_root, answer_vocab)
        self.answer_vocab_file = answer_vocab
        self.ignore_index = ignore_index
        self.answer_to_label: Dict[str, int] = {} if not answer_vocab else \
            load_answer_vocab(answer_vocab, kwargs.get('backend_args'))
        self.num_oov = 0
        super().__init__(ann_file=ann_file, **kwargs)

    @property
    def num_answers(self) -> int:
        """Size of the answer vocabulary."""
        return len(self.answer_to_label)

    def qa_info(self, filename: str, video_id: str, question: str,
                answer: str, **extra) -> dict:
        """Build a data info (``label`` from the vocabulary)."""
        label = self.answer_to_label.get(answer, self.ignore_index)
        if label == self.ignore_index:
            self.num_oov += 1
        return dict(
            filename=filename,
            video_id=str(video_id),
            question=question,
            text=question,
            answer=answer,
            label=label,
            modality='video',
            **extra)


class BaseMultipleChoiceDataset(_RowMixin, BaseVideoTextDataset):
    """Base of multiple-choice datasets: K candidates and the right index.

    Each sample's data info: ``filename``, ``video_id``, ``candidates``
    (K strings, read by ``TokenizeCandidates``), ``label`` (index of the
    right candidate), ``question`` for QA datasets (the ``prefix_key`` of
    ``TokenizeCandidates``) and ``text`` (the question, or the right
    caption, kept as metainfo).

    Args:
        ann_file (str): The annotation file.
        num_candidates (int, optional): Expected K; rows with another count
            are reported. Defaults to None (any K > 1).
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 num_candidates: Optional[int] = None,
                 **kwargs) -> None:
        self.num_candidates = num_candidates
        super().__init__(ann_file=ann_file, **kwargs)

    def check_candidates(self, values: Any, path: str, where,
                         key: str) -> Optional[List[str]]:
        """Validate the candidate list (strings, count)."""
        if not isinstance(values, (list, tuple)) or len(values) < 2:
            self.invalid(path, where, key, 'expected a list of >= 2 '
                         f'candidate strings, got {values!r:.80}')
            return None
        if self.num_candidates is not None and \
                len(values) != self.num_candidates:
            self.invalid(path, where, key, f'expected {self.num_candidates} '
                         f'candidates, got {len(values)}')
            return None
        return self.check_texts(values, path, where, key)

    def mc_info(self, filename: str, video_id: str, candidates: List[str],
                label: int, question: Optional[str] = None,
                **extra) -> dict:
        """Build a data info."""
        info = dict(
            filename=filename,
            video_id=str(video_id),
            candidates=candidates,
            label=label,
            text=question if question is not None else candidates[label],
            modality='video',
            **extra)
        if question is not None:
            info['question'] = question
        return info
