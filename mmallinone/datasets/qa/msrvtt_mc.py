"""MSR-VTT multiple choice (caption choice, JSFusion test set)."""
from typing import List

from mmallinone.registry import DATASETS
from .base import BaseMultipleChoiceDataset

__all__ = ['MSRVTTMCDataset']


@DATASETS.register_module()
class MSRVTTMCDataset(BaseMultipleChoiceDataset):
    """MSR-VTT multiple choice (Yu et al. 2018, JSFusion).

    Reads the authors' ``msrvtt_mc_test.jsonl``; a line::

        {"clip_name": "video7020", "options": ["...", "...", "...", "...",
         "..."], "answer": 2}

    Media: ``<clip_name>.mp4`` under ``data_prefix['video']`` (MSR-VTT's
    ``videos/all``). The benchmark has a test split only (the authors use it
    for every split); zero-shot evaluation is the usual protocol.

    Args:
        ann_file (str): The JSONL file.
        video_ext (str): Defaults to ``'.mp4'``.
        **kwargs: See :class:`BaseMultipleChoiceDataset`.
    """

    def __init__(self, ann_file: str, video_ext: str = '.mp4',
                 **kwargs) -> None:
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the JSONL file: one sample per clip."""
        path = self.ann_file
        data_list = []
        for where, row in self.read_json_rows(path):
            clip = self.field(row, 'clip_name', path, where)
            options = self.field(row, 'options', path, where, (list, )) \
                if clip is not None else None
            if options is None:
                continue
            options = self.check_candidates(options, path, where, 'options')
            if options is None or \
                    self.field(row, 'answer', path, where, (int, )) is None:
                continue
            label = self.parse_int(row['answer'], path, where, 'answer', 0,
                                   len(options))
            if label is None:
                continue
            data_list.append(
                self.mc_info(
                    self.media_path(clip.strip() + self.video_ext),
                    clip.strip(), options, label))
        return data_list
