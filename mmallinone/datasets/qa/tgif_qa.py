"""TGIF-QA: FrameQA (open-ended) and Action / Transition (multiple choice)."""
from typing import List

from mmallinone.registry import DATASETS
from .base import BaseMultipleChoiceDataset, BaseVideoQADataset

__all__ = ['TGIFFrameQADataset', 'TGIFMultipleChoiceDataset']


@DATASETS.register_module()
class TGIFFrameQADataset(BaseVideoQADataset):
    """TGIF-QA FrameQA (Jang et al. 2017).

    Reads the official ``Train_frameqa_question.csv`` /
    ``Test_frameqa_question.csv``: tab-separated with the header
    ``gif_name  question  answer  vid_id  key  type``. Media:
    ``<gif_name>.gif`` under ``data_prefix['video']`` (TGIF's ``gifs``);
    decord cannot read GIFs, so the pipeline starts with
    :class:`GifInit` / :class:`GifDecode` instead of the decord pair.

    Args:
        ann_file (str): The CSV file.
        video_ext (str): Defaults to ``'.gif'``.
        **kwargs: See :class:`BaseVideoQADataset`.
    """

    COLUMNS = ('gif_name', 'question', 'answer')

    def __init__(self, ann_file: str, video_ext: str = '.gif',
                 **kwargs) -> None:
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the CSV: one sample per question."""
        path = self.ann_file
        data_list = []
        for line, row in self.iter_csv(path, self.COLUMNS, delimiter='\t'):
            values = [self.field(row, c, path, line) for c in self.COLUMNS]
            if None in values:
                continue
            gif, question, answer = (v.strip() for v in values)
            extra = {'question_id': row['key']} if 'key' in row else {}
            data_list.append(
                self.qa_info(
                    self.media_path(gif + self.video_ext), gif, question,
                    answer, **extra))
        return data_list


@DATASETS.register_module()
class TGIFMultipleChoiceDataset(BaseMultipleChoiceDataset):
    """TGIF-QA Action and Transition (repeated action / state transition).

    Reads the official ``{Train,Test}_{action,transition}_question.csv``:
    tab-separated with the header ``gif_name question a1 a2 a3 a4 a5 answer
    vid_id key``; ``answer`` is the 0-based index of the right option
    among ``a1..a5``. The question is the ``prefix_key`` of
    ``TokenizeCandidates`` (``[CLS] question [SEP] option [SEP]``).

    Args:
        ann_file (str): The CSV file.
        video_ext (str): Defaults to ``'.gif'``.
        **kwargs: See :class:`BaseMultipleChoiceDataset`.
    """

    OPTIONS = ('a1', 'a2', 'a3', 'a4', 'a5')
    COLUMNS = ('gif_name', 'question') + OPTIONS + ('answer', )

    def __init__(self, ann_file: str, video_ext: str = '.gif',
                 **kwargs) -> None:
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the CSV: one sample per question."""
        path = self.ann_file
        data_list = []
        for line, row in self.iter_csv(path, self.COLUMNS, delimiter='\t'):
            gif = self.field(row, 'gif_name', path, line)
            question = self.field(row, 'question', path, line)
            if gif is None or question is None:
                continue
            options = self.check_candidates([row[k] for k in self.OPTIONS],
                                            path, line, 'a1..a5')
            if options is None:
                continue
            label = self.parse_int(row['answer'], path, line, 'answer', 0,
                                   len(options))
            if label is None:
                continue
            extra = {'question_id': row['key']} if 'key' in row else {}
            data_list.append(
                self.mc_info(
                    self.media_path(gif.strip() + self.video_ext),
                    gif.strip(), [o.strip() for o in options], label,
                    question.strip(), **extra))
        return data_list
