"""MSRVTT-QA (open-ended video QA)."""
from typing import List

from mmallinone.registry import DATASETS
from .base import BaseVideoQADataset

__all__ = ['MSRVTTQADataset']


@DATASETS.register_module()
class MSRVTTQADataset(BaseVideoQADataset):
    """MSRVTT-QA questions (Xu et al. 2017).

    Reads the official ``train_qa.json`` / ``val_qa.json`` /
    ``test_qa.json`` (a JSON list)::

        [{"question": "what is a man doing?", "answer": "sing",
          "video_id": 7010, "id": 158581}, ...]

    where the integer ``video_id`` N is the clip ``video{N}.mp4`` of
    ``data_prefix['video']`` (MSR-VTT's ``videos/all``). The authors'
    ``msrvtt_qa_{train,test}.jsonl`` (one object per line, ``video_id`` a
    string such as ``"video7010"``) is read too. Unlike the authors (val =
    test), give the val and test splits their own files.

    Args:
        ann_file (str): The JSON / JSONL file.
        video_ext (str): Defaults to ``'.mp4'``.
        **kwargs: See :class:`BaseVideoQADataset` (``answer_vocab``, ...).
    """

    def __init__(self, ann_file: str, video_ext: str = '.mp4',
                 **kwargs) -> None:
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file: one sample per question."""
        path = self.ann_file
        data_list = []
        for where, row in self.read_json_rows(path):
            vid = self.field(row, 'video_id', path, where, (int, str))
            if vid is None:
                continue
            question = self.field(row, 'question', path, where)
            answer = self.field(row, 'answer', path, where)
            if question is None or answer is None:
                continue
            name = f'video{vid}' if isinstance(vid, int) else vid.strip()
            extra = {'question_id': row['id']} if 'id' in row else {}
            data_list.append(
                self.qa_info(
                    self.media_path(name + self.video_ext), name, question,
                    answer.strip(), **extra))
        return data_list
