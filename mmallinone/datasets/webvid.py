"""WebVid-2.5M / 10M annotations (official CSV or the authors' TSV)."""
from typing import List

from mmallinone.registry import DATASETS
from .base import BaseVideoTextDataset


@DATASETS.register_module()
class WebVidDataset(BaseVideoTextDataset):
    """WebVid video-caption pairs.

    Two annotation formats (``ann_format``):

    - ``'csv'``: the official WebVid-2.5M CSV with the header
      ``videoid,contentUrl,duration,page_dir,name``; video path
      ``{page_dir}/{videoid}.mp4`` under ``data_prefix['video']``, caption
      ``name``.
    - ``'authors_tsv'``: All-in-One's ``webvid_*_success_full.tsv`` (a header
      line, then tab-separated rows: column 0 the caption, column 1 the video
      path relative to the split folder, without extension); ``.mp4`` is
      appended (spec §5.2).

    Each sample's data info: ``filename``, ``video_id``, ``text``,
    ``modality='video'`` (and ``duration`` for the CSV).

    Args:
        ann_file (str): The CSV / TSV file.
        ann_format (str): ``'csv'`` or ``'authors_tsv'``. Defaults to
            ``'csv'``.
        video_ext (str): Extension appended to video ids. Defaults to
            ``'.mp4'``.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    CSV_COLUMNS = ('videoid', 'page_dir', 'name')

    def __init__(self, ann_file: str, ann_format: str = 'csv',
                 video_ext: str = '.mp4', **kwargs) -> None:
        if ann_format not in ('csv', 'authors_tsv'):
            raise ValueError("ann_format must be 'csv' or 'authors_tsv', got "
                             f'{ann_format!r}')
        self.ann_format = ann_format
        self.video_ext = video_ext
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file.

        Returns:
            list[dict]: One data info per (video, caption).
        """
        if self.ann_format == 'csv':
            return self._load_csv()
        return self._load_tsv()

    def _load_csv(self) -> List[dict]:
        path = self.ann_file
        data_list = []
        for line, row in self.iter_csv(path, self.CSV_COLUMNS, delimiter=','):
            ok = True
            for field in ('videoid', 'page_dir'):
                if not row[field].strip():
                    self.invalid(path, line, field, 'empty value')
                    ok = False
                    break
            if not ok:
                continue
            text = self.check_text(row['name'], path, line, 'name')
            if text is None:
                continue
            info = dict(
                filename=self.media_path(
                    f'{row["page_dir"].strip()}/{row["videoid"].strip()}'
                    f'{self.video_ext}'),
                video_id=row['videoid'].strip(),
                text=text,
                modality='video')
            if 'duration' in row:
                info['duration'] = row['duration']
            data_list.append(info)
        return data_list

    def _load_tsv(self) -> List[dict]:
        path = self.ann_file
        data_list = []
        rows = self.iter_csv(path, delimiter='\t', header=False)
        next(rows, None)  # the header line
        for line, row in rows:
            if len(row) < 2:
                self.invalid(path, line, None, 'expected at least 2 '
                             f'tab-separated fields, got {len(row)}')
                continue
            text = self.check_text(row[0], path, line, 'column 0 (caption)')
            if text is None:
                continue
            rel = row[1].strip()
            if not rel:
                self.invalid(path, line, 'column 1 (video)', 'empty value')
                continue
            data_list.append(
                dict(
                    filename=self.media_path(rel + self.video_ext),
                    video_id=rel,
                    text=text,
                    modality='video'))
        return data_list
