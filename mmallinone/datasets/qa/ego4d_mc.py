"""Ego4D multiple choice (the authors' narration choice benchmark)."""
import ast
from typing import Any, List, Optional

from mmallinone.registry import DATASETS
from .base import BaseMultipleChoiceDataset

__all__ = ['Ego4DMCDataset']


@DATASETS.register_module()
class Ego4DMCDataset(BaseMultipleChoiceDataset):
    """Ego4D multiple choice (the authors' ``mc_val.csv``).

    A comma-separated file with a header holding the columns ``question``
    and ``answers``, each a **Python-literal** list:

    - ``question``: ``[uid, frame, ..., gt_text]`` (video uid, narration
      frame, the right narration last);
    - ``answers``: a list of candidates, each a list whose last element is
      the narration text.

    The first ``num_options`` candidates are the options and the label is
    the index of ``gt_text`` among them. Literals are parsed with
    :func:`ast.literal_eval` (the authors call ``eval``).
    Media: ``<uid>.mp4`` under ``data_prefix['video']``; ``frame_window`` =
    ``[frame - half_window, frame + half_window)`` frames, applied by
    :class:`RestrictToFrameWindow` after ``mmaction.DecordInit``.

    Args:
        ann_file (str): The CSV file.
        num_options (int): Options kept per question. Defaults to 4 (the
            authors' ``draw_false_text``).
        half_window (int): Half the frame window. Defaults to 60.
        video_ext (str): Defaults to ``'.mp4'``.
        **kwargs: See :class:`BaseMultipleChoiceDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 num_options: int = 4,
                 half_window: int = 60,
                 video_ext: str = '.mp4',
                 **kwargs) -> None:
        self.num_options = num_options
        self.half_window = half_window
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def _literal(self, text: str, path: str, line: int,
                 field: str) -> Optional[Any]:
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError) as e:
            self.invalid(path, line, field,
                         f'not a Python literal ({type(e).__name__})')
            return None
        if not isinstance(value, (list, tuple)) or not value:
            self.invalid(path, line, field, 'expected a non-empty list')
            return None
        return value

    def load_data_list(self) -> List[dict]:
        """Parse the CSV: one sample per question."""
        path = self.ann_file
        data_list = []
        for line, row in self.iter_csv(
                path, ('question', 'answers'), delimiter=','):
            question = self._literal(row['question'], path, line, 'question')
            answers = self._literal(row['answers'], path, line, 'answers') \
                if question is not None else None
            if answers is None:
                continue
            if len(question) < 3:
                self.invalid(path, line, 'question',
                             'expected [uid, frame, ..., text]')
                continue
            uid, gt_text = str(question[0]).strip(), question[-1]
            frame = self.parse_int(question[1], path, line, 'question[1]', 0)
            if frame is None:
                continue
            texts = []
            for i, ans in enumerate(answers[:self.num_options]):
                if not isinstance(ans, (list, tuple)) or not ans:
                    self.invalid(path, line, f'answers[{i}]',
                                 'expected a non-empty list')
                    texts = None
                    break
                texts.append(ans[-1])
            if texts is None:
                continue
            options = self.check_candidates(texts, path, line, 'answers')
            if options is None:
                continue
            if gt_text not in options:
                self.invalid(path, line, 'question',
                             'the right narration is not among the first '
                             f'{self.num_options} answers')
                continue
            data_list.append(
                self.mc_info(
                    self.media_path(uid + self.video_ext),
                    uid, options, options.index(gt_text),
                    frame_window=(max(0, frame - self.half_window),
                                  frame + self.half_window)))
        return data_list
