"""LSMDC text-video retrieval (LSMDC 2016 challenge files)."""
import re
from typing import List

from mmallinone.registry import DATASETS
from .base import BaseRetrievalDataset

__all__ = ['LSMDCRetrievalDataset']


@DATASETS.register_module()
class LSMDCRetrievalDataset(BaseRetrievalDataset):
    """LSMDC from ``LSMDC16_annos_{training,val,test}.csv`` and
    ``LSMDC16_challenge_1000_publictect.csv``.

    Tab-separated, no header, six columns: ``clip_id``, ``start``, ``end``,
    ``start_aligned``, ``end_aligned``, ``sentence``. The caption is the
    **sentence** (the authors used the clip id). The video is
    ``<movie>/<clip_id><video_ext>`` where ``movie`` is the clip id without
    its trailing ``_<start>-<end>`` time stamp: clip
    ``0001_American_Beauty_00.00.51.926-00.00.54.129`` is read from folder
    ``0001_American_Beauty``.

    Args:
        ann_file (str): One of the TSV files above.
        video_ext (str): Defaults to ``'.avi'``.
        **kwargs: See :class:`BaseRetrievalDataset`.
    """

    NUM_COLUMNS = 6
    TIME_FIELDS = ('start', 'end', 'start_aligned', 'end_aligned')
    TIME_RE = re.compile(r'^[0-9][0-9.:]*$')

    def __init__(self, ann_file: str, video_ext: str = '.avi',
                 **kwargs) -> None:
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    @staticmethod
    def movie_of(clip_id: str) -> str:
        """Movie folder of a clip id (the id minus its time-stamp suffix)."""
        return clip_id.rsplit('_', 1)[0]

    def load_data_list(self) -> List[dict]:
        """One sample per clip, its sentence as caption."""
        path = self.ann_file
        data_list = []
        for line, row in self.iter_csv(path, delimiter='\t', header=False,
                                       min_columns=self.NUM_COLUMNS):
            clip = row[0].strip()
            if '_' not in clip:
                self.invalid(path, line, 'clip_id',
                             f'expected <movie>_<time stamps>, got '
                             f'{clip!r:.60}')
                continue
            bad = [name for col, name in enumerate(self.TIME_FIELDS, 1)
                   if not self.TIME_RE.match(row[col].strip())]
            if bad:
                value = row[1 + self.TIME_FIELDS.index(bad[0])]
                self.invalid(path, line, bad[0],
                             f'expected a time stamp (digits, "." or ":"), '
                             f'got {value!r:.40}')
                continue
            text = self.check_text('\t'.join(row[5:]), path, line,
                                   'sentence')
            if text is None:
                continue
            data_list.append(
                dict(
                    filename=self.media_path(
                        f'{self.movie_of(clip)}/{clip}{self.video_ext}'),
                    video_id=clip,
                    captions=[text.strip()],
                    modality='video'))
        return data_list
