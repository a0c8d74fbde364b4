"""MSVD-QA (open-ended video QA)."""
from typing import List

from mmallinone.registry import DATASETS
from .base import BaseVideoQADataset

__all__ = ['MSVDQADataset']


@DATASETS.register_module()
class MSVDQADataset(BaseVideoQADataset):
    """MSVD-QA questions (Xu et al. 2017).

    Reads the official ``train_qa.json`` / ``val_qa.json`` / ``test_qa.json``
    (a JSON list; the authors' ``msvd_*_qa_encode.json`` is the same list on
    one line)::

        [{"answer": "cut", "id": 0, "question": "what is a man doing?",
          "video_id": 1}, ...]

    The integer ``video_id`` N is resolved with ``youtube_mapping.txt``,
    lines ``<youtube_name> vid<N>`` (e.g. ``-4wsuPCjDBc_5_15 vid1``), to the
    clip ``<youtube_name>.avi`` of ``data_prefix['video']`` (MSVD's
    ``YouTubeClips``). An id missing from the mapping is an annotation
    error naming the line.

    Args:
        ann_file (str): The JSON file.
        mapping_file (str): The YouTube mapping (relative paths are joined
            with ``data_root``). Defaults to ``'youtube_mapping.txt'``.
        video_ext (str): Defaults to ``'.avi'``.
        **kwargs: See :class:`BaseVideoQADataset`.
    """

    def __init__(self,
                 ann_file: str,
                 mapping_file: str = 'youtube_mapping.txt',
                 video_ext: str = '.avi',
                 **kwargs) -> None:
        import os.path as osp
        data_root = kwargs.get('data_root', '') or ''
        if data_root and not osp.isabs(mapping_file):
            mapping_file = osp.join(data_root, mapping_file)
        self.mapping_file = mapping_file
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file: one sample per question."""
        mapping = {  # vid<N> -> clip
            num: clip
            for clip, num in self.read_clip_numbers(self.mapping_file).items()
        }
        path = self.ann_file
        data_list = []
        for where, row in self.read_json_rows(path):
            vid = self.field(row, 'video_id', path, where, (int, str))
            question = self.field(row, 'question', path, where) \
                if vid is not None else None
            answer = self.field(row, 'answer', path, where) \
                if question is not None else None
            if answer is None:
                continue
            num = self.parse_int(vid, path, where, 'video_id')
            if num is None:
                continue
            if num not in mapping:
                self.invalid(path, where, 'video_id', f'vid{num} is not in '
                             f'{self.mapping_file}')
                continue
            name = mapping[num]
            extra = {'question_id': row['id']} if 'id' in row else {}
            data_list.append(
                self.qa_info(
                    self.media_path(name + self.video_ext), name, question,
                    answer.strip(), **extra))
        return data_list
