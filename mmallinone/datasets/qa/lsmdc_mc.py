"""LSMDC multiple choice (caption choice on movie clips)."""
from typing import List, Optional

from mmallinone.registry import DATASETS
from .base import BaseMultipleChoiceDataset

__all__ = ['LSMDCMCDataset']


@DATASETS.register_module()
class LSMDCMCDataset(BaseMultipleChoiceDataset):
    """LSMDC 2016 movie multiple-choice test.

    Reads the official ``LSMDC16_multiple_choice_train.csv`` /
    ``LSMDC16_multiple_choice_test_randomized.csv``: tab-separated, no
    header; column 0 the clip id (e.g.
    ``3001_21_JUMP_STREET_00.00.31.173-00.00.38.493``), columns 5-9 the five
    options, column 10 the right option, **1-based**. Media:
    ``<movie>/<clip id>.avi`` under ``data_prefix['video']`` where
    ``<movie>`` is the clip id without its last ``_``-separated part (the
    time stamps).

    Args:
        ann_file (str): The TSV file.
        answer_index (int, optional): Force every label to this 0-based
            index (the authors force 0 for the training file).
            Defaults to None (read column 10).
        video_ext (str): Defaults to ``'.avi'``.
        **kwargs: See :class:`BaseMultipleChoiceDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 answer_index: Optional[int] = None,
                 video_ext: str = '.avi',
                 **kwargs) -> None:
        self.answer_index = answer_index
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    @staticmethod
    def movie_of(clip_id: str) -> str:
        """Movie folder of a clip id (the id without its time suffix)."""
        return clip_id.rsplit('_', 1)[0]

    def load_data_list(self) -> List[dict]:
        """Parse the TSV: one sample per clip."""
        path = self.ann_file
        data_list = []
        min_cols = 10 if self.answer_index is not None else 11
        for line, row in self.iter_csv(
                path, delimiter='\t', header=False, min_columns=min_cols):
            clip = row[0].strip()
            if not clip:
                self.invalid(path, line, 'column 0 (clip id)', 'empty value')
                continue
            options = self.check_candidates(
                [o.strip() for o in row[5:10]], path, line,
                'columns 5-9 (options)')
            if options is None:
                continue
            if self.answer_index is not None:
                label = self.answer_index
            else:
                label = self.parse_int(row[10], path, line,
                                       'column 10 (answer)', 1,
                                       len(options) + 1)
                if label is None:
                    continue
                label -= 1
            data_list.append(
                self.mc_info(
                    self.media_path(
                        f'{self.movie_of(clip)}/{clip}{self.video_ext}'),
                    clip, options, label))
        return data_list
