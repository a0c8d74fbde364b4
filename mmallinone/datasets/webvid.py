"""WebVid-2.5M / 10M annotations (official CSV or the authors' TSV)."""
import contextlib
import os.path as osp
from typing import IO, Iterator, List, Optional, Union

from mmallinone.registry import DATASETS
from .ann_index import AnnotationIndexMixin
from .base import BaseVideoTextDataset


@DATASETS.register_module()
class WebVidDataset(AnnotationIndexMixin, BaseVideoTextDataset):
    """WebVid video-caption pairs.

    Two annotation formats (``ann_format``):

    - ``'csv'``: the official WebVid-2.5M CSV with the header
      ``videoid,contentUrl,duration,page_dir,name``; video path
      ``{page_dir}/{videoid}.mp4`` under ``data_prefix['video']``, caption
      ``name``.
    - ``'authors_tsv'``: All-in-One's ``webvid_*_success_full.tsv`` (a header
      line, then tab-separated rows: column 0 the caption, column 1 the video
      path relative to the split folder, without extension); ``.mp4`` is
      appended.

    Each sample's data info: ``filename``, ``video_id``, ``text``,
    ``modality='video'`` (and ``duration`` for the CSV).

    **Large annotation files.** With ``ann_index=True`` the CSV/TSV is
    parsed once (streamed line by line, on global rank 0) into a cached,
    memory-mapped index that every rank and worker reads
    (:class:`~mmallinone.datasets.ann_index.AnnotationIndexMixin`); the
    samples and the annotation errors are the same as without it.

    Args:
        ann_file (str): The CSV / TSV file.
        ann_format (str): ``'csv'`` or ``'authors_tsv'``. Defaults to
            ``'csv'``.
        video_ext (str): Extension appended to video ids. Defaults to
            ``'.mp4'``.
        ann_index (bool | str, optional): Read the annotation through the
            cached index (``True``: default cache folder; a folder path).
            Defaults to False (parse the file in every process).
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    CSV_COLUMNS = ('videoid', 'page_dir', 'name')

    def __init__(self, ann_file: str, ann_format: str = 'csv',
                 video_ext: str = '.mp4',
                 ann_index: Union[bool, str, None] = False,
                 **kwargs) -> None:
        if ann_format not in ('csv', 'authors_tsv'):
            raise ValueError("ann_format must be 'csv' or 'authors_tsv', got "
                             f'{ann_format!r}')
        self.ann_format = ann_format
        self.video_ext = video_ext
        self.init_ann_index(ann_index)
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file.

        Returns:
            list[dict]: One data info per (video, caption).
        """
        return list(self.iter_data_infos())

    def iter_data_infos(self, stream: Optional[IO[str]] = None
                        ) -> Iterator[dict]:
        """Yield the data infos row by row (annotation errors as usual).

        Args:
            stream (IO[str], optional): The open annotation file. Defaults
                to reading it with the file backend (local files are read
                line by line when the annotation index is built).

        Yields:
            dict: One data info per (video, caption).
        """
        with contextlib.ExitStack() as stack:
            if stream is None and self._indexing() and \
                    osp.isfile(self.ann_file):
                stream = stack.enter_context(
                    contextlib.closing(self.iter_text_lines(self.ann_file)))
            if self.ann_format == 'csv':
                yield from self._iter_csv(stream)
            else:
                yield from self._iter_tsv(stream)

    def _indexing(self) -> bool:
        return bool(getattr(self, 'ann_index', False))

    def ann_index_key(self) -> dict:
        """Parse settings that change the infos (index cache key)."""
        return dict(super().ann_index_key(), ann_format=self.ann_format,
                    video_ext=self.video_ext)

    def _iter_csv(self, stream: Optional[IO[str]]) -> Iterator[dict]:
        path = self.ann_file
        for line, row in self.iter_csv(path, self.CSV_COLUMNS, delimiter=',',
                                       text=stream):
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
            yield info

    def _iter_tsv(self, stream: Optional[IO[str]]) -> Iterator[dict]:
        path = self.ann_file
        rows = self.iter_csv(path, delimiter='\t', header=False, text=stream)
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
            yield dict(
                filename=self.media_path(rel + self.video_ext),
                video_id=rel,
                text=text,
                modality='video')
