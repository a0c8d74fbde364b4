"""Conceptual Captions: CC3M (official TSV and the authors' layout), CC12M."""
from typing import List

from mmallinone.registry import DATASETS
from .base import BaseImageTextDataset

__all__ = ['CC3MDataset', 'CC12MDataset']


@DATASETS.register_module()
class CC3MDataset(BaseImageTextDataset):
    """Conceptual Captions 3M image-caption pairs.

    Two annotation formats (``ann_format``):

    - ``'gcc_tsv'``: Google's ``Train_GCC-training.tsv`` /
      ``Validation_GCC-1.1.0-Validation.tsv``: no header, one row per image,
      ``caption<TAB>url``. The image's file name comes from
      ``filename_tmpl`` filled with ``index`` (0-based row among the data
      rows, the usual name given by download scripts), ``line`` (1-based
      line) and ``basename`` (last component of the URL). Defaults to
      ``'{index}.jpg'``.
    - ``'authors_tsv'``: All-in-One's ``cc3m_training_success_full.tsv``: a header line, then ``caption<TAB>file name`` with the
      file name relative to the split folder (``training/``,
      ``validation/``).

    Each sample's data info: ``filename``, ``video_id`` (the file name),
    ``modality='image'``, ``text``.

    Args:
        ann_file (str): The TSV file.
        ann_format (str): ``'gcc_tsv'`` or ``'authors_tsv'``. Defaults to
            ``'gcc_tsv'``.
        filename_tmpl (str): File name template of ``'gcc_tsv'``.
            Defaults to ``'{index}.jpg'``.
        **kwargs: See :class:`BaseImageTextDataset`.
    """

    FORMATS = ('gcc_tsv', 'authors_tsv')
    #: Columns (caption, url) of a ``'gcc_tsv'`` row.
    CAPTION_COL, URL_COL = 0, 1

    def __init__(self,
                 ann_file: str,
                 ann_format: str = 'gcc_tsv',
                 filename_tmpl: str = '{index}.jpg',
                 **kwargs) -> None:
        if ann_format not in self.FORMATS:
            raise ValueError(f'ann_format must be one of {self.FORMATS}, '
                             f'got {ann_format!r}')
        self.ann_format = ann_format
        self.filename_tmpl = filename_tmpl
        super().__init__(ann_file=ann_file, **kwargs)

    def parse_annotations(self) -> List[dict]:
        """Parse the TSV.

        Returns:
            list[dict]: One data info per (image, caption).
        """
        path = self.ann_file
        rows = self.iter_tsv(path)
        if self.ann_format == 'authors_tsv':
            next(rows, None)  # the header line
            return self._parse_rows(rows, path, 0, 1, url=False)
        return self._parse_rows(
            rows, path, self.CAPTION_COL, self.URL_COL, url=True)

    def _parse_rows(self, rows, path: str, cap_col: int, file_col: int,
                    url: bool) -> List[dict]:
        kind = 'url' if url else 'image'
        data_list = []
        for index, (line, row) in enumerate(rows):
            if len(row) != 2:
                self.invalid(
                    path, line, None, 'expected 2 tab-separated '
                    f'fields (caption, {kind}), got {len(row)}')
                continue
            text = self.check_text(row[cap_col], path, line,
                                   f'column {cap_col} (caption)')
            if text is None:
                continue
            value = self.check_path(row[file_col], path, line,
                                    f'column {file_col} ({kind})')
            if value is None:
                continue
            if url:
                value = self.format_filename(
                    self.filename_tmpl,
                    index=index,
                    line=line,
                    basename=self.url_basename(value))
            data_list += self.make_infos(value, value, [text])
        return data_list


@DATASETS.register_module()
class CC12MDataset(CC3MDataset):
    """Conceptual 12M image-caption pairs (Google's ``cc12m.tsv``).

    No header, one row per image, ``url<TAB>caption`` (the columns are in
    the opposite order to CC3M's). The image's file name comes from
    ``filename_tmpl`` as for :class:`CC3MDataset` (``index``, ``line``,
    ``basename``).

    Args:
        ann_file (str): ``cc12m.tsv``.
        filename_tmpl (str): Defaults to ``'{index}.jpg'``.
        **kwargs: See :class:`BaseImageTextDataset`.
    """

    FORMATS = ('cc12m_tsv', )
    CAPTION_COL, URL_COL = 1, 0

    def __init__(self,
                 ann_file: str,
                 filename_tmpl: str = '{index}.jpg',
                 **kwargs) -> None:
        kwargs.pop('ann_format', None)
        super().__init__(
            ann_file=ann_file,
            ann_format='cc12m_tsv',
            filename_tmpl=filename_tmpl,
            **kwargs)

    def parse_annotations(self) -> List[dict]:
        """Parse ``cc12m.tsv``.

        Returns:
            list[dict]: One data info per image.
        """
        rows = self.iter_tsv(self.ann_file)
        return self._parse_rows(
            rows, self.ann_file, self.CAPTION_COL, self.URL_COL, url=True)
