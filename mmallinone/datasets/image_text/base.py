"""Common base of image-text datasets: an image is a one-frame clip."""
import os.path as osp
from typing import List, Optional, Sequence

from mmallinone.registry import DATASETS
from ..base import BaseVideoTextDataset

__all__ = ['BaseImageTextDataset']


@DATASETS.register_module()
class BaseImageTextDataset(BaseVideoTextDataset):
    """Base class of image-caption datasets (co-training).

    An image is read by
    :class:`~mmallinone.datasets.transforms.LoadImageAsClip` as a clip of
    ``clip_len`` frames (1 for co-training: the backbone then applies no
    token rolling and no temporal embedding) and shares the tail of the
    video pipeline (``mmaction.Resize`` / crops / ``Flip``, text transforms,
    :class:`~mmallinone.datasets.transforms.PackVideoTextInputs`).

    Subclasses implement :meth:`load_data_list` with :meth:`make_infos`.
    Each sample's data info: ``filename``, ``video_id`` (the image id),
    ``modality='image'`` and ``text`` (``expand_captions=True``: one sample
    per (image, caption), as ViLT / the authors) or ``captions`` (one sample
    per image, a caption drawn per access).

    Image folder: ``data_prefix['img']`` (``data_prefix['video']`` is also
    accepted), joined with ``data_root`` when relative.

    Web-crawled sets (CC3M, CC12M, SBU) always miss some images (dead
    URLs). A missing image is skipped at access time with a logged, counted
    warning like any broken sample; with ``drop_missing_images=True`` the
    missing files are instead dropped once at initialisation, with one
    logged count (``num_missing_images``).

    Args:
        ann_file (str): Annotation file.
        expand_captions (bool): One sample per caption. Defaults to True.
        data_prefix (dict): ``dict(img=...)``. Defaults to ``dict(img='')``.
        drop_missing_images (bool): Check every image file at
            initialisation and drop the missing ones (local files only).
            Defaults to False.
        **kwargs: See :class:`~mmallinone.datasets.BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 expand_captions: bool = True,
                 data_prefix: dict = dict(img=''),
                 drop_missing_images: bool = False,
                 **kwargs) -> None:
        self.expand_captions = expand_captions
        self.drop_missing_images = drop_missing_images
        self.num_missing_images = 0
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the annotations (:meth:`parse_annotations`), then drop
        missing images if asked.

        Returns:
            list[dict]: One data info per sample.
        """
        data_list = self.parse_annotations()
        if not self.drop_missing_images:
            return data_list
        exists = {}
        kept = []
        for info in data_list:
            name = info['filename']
            if name not in exists:
                exists[name] = osp.isfile(name)
            if exists[name]:
                kept.append(info)
        missing = [n for n, ok in exists.items() if not ok]
        self.num_missing_images = len(missing)
        if missing:
            self._logger().warning(
                f'{type(self).__name__}: dropped {len(missing)} of '
                f'{len(exists)} images missing under "{self.video_prefix}" '
                f'({len(data_list) - len(kept)} samples), e.g. '
                f'"{missing[0]}"')
        return kept

    def parse_annotations(self) -> List[dict]:
        """Parse :attr:`ann_file` into data infos (see :meth:`make_infos`).

        Returns:
            list[dict]: One data info per sample.
        """
        raise NotImplementedError

    def format_filename(self, template: str, **fields) -> str:
        """Fill a file-name template such as ``'{index}.jpg'``.

        Args:
            template (str): ``str.format`` template.
            **fields: The values the template may use.

        Returns:
            str: The file name.

        Raises:
            ValueError: The template uses a field not in ``fields``.
        """
        try:
            return template.format(**fields)
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(
                f'{type(self).__name__}: filename_tmpl {template!r} uses '
                f'an unknown field ({e}); available: {sorted(fields)}') from e

    @property
    def video_prefix(self) -> str:
        """Image folder: ``data_prefix['img']`` (or ``['video']``)."""
        return (self.data_prefix.get('img')
                or self.data_prefix.get('video', '') or '')

    def make_infos(self, rel_path: str, image_id: str,
                   captions: Sequence[str]) -> List[dict]:
        """Data infos of one image with its captions.

        Args:
            rel_path (str): Image path relative to the image folder.
            image_id (str): Identifier of the image.
            captions (Sequence[str]): Its (already checked) captions.

        Returns:
            list[dict]: One info per caption (``expand_captions``) or one
            info with ``captions``.
        """
        base = dict(
            filename=self.media_path(rel_path),
            video_id=str(image_id),
            modality='image')
        if self.expand_captions:
            return [
                dict(base, text=cap, caption_idx=i)
                for i, cap in enumerate(captions)
            ]
        return [dict(base, captions=list(captions))]

    def iter_tsv(self, path: str):
        """Yield ``(line, fields)`` of a tab-separated file, verbatim.

        Unlike :meth:`iter_csv` no quoting is interpreted (web captions
        contain unbalanced ``"``); blank lines are skipped and a trailing
        ``\\r`` is removed.

        Args:
            path (str): The file.

        Yields:
            tuple[int, list[str]]: 1-based line number and the fields.
        """
        for line, raw in enumerate(self.read_text(path).split('\n'), start=1):
            raw = raw.rstrip('\r')
            if raw.strip():
                yield line, raw.split('\t')

    @staticmethod
    def url_basename(url: str) -> str:
        """Last path component of a URL, without query string."""
        return osp.basename(url.split('?', 1)[0].rstrip('/'))

    def check_path(self, value, path: str, line, field: str) -> Optional[str]:
        """Return a stripped non-empty path string or report the row."""
        if not isinstance(value, str) or not value.strip():
            self.invalid(path, line, field,
                         f'expected a non-empty file name, got {value!r:.60}')
            return None
        return value.strip()
