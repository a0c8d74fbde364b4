"""Visual Genome region descriptions as image-caption pairs."""
from typing import Dict, List, Optional

from mmallinone.registry import DATASETS
from .base import BaseImageTextDataset

__all__ = ['VisualGenomeCaptionDataset']


@DATASETS.register_module()
class VisualGenomeCaptionDataset(BaseImageTextDataset):
    """Visual Genome ``region_descriptions.json``: each region phrase is a
    caption of the **whole** image (as ViLT and the authors use VG).

    Format: ``[{"id": image_id, "regions": [{"region_id", "image_id",
    "phrase", "x", "y", "width", "height"}, ...]}, ...]``. Image paths:

    - with ``image_data_file`` (VG's ``image_data.json``, ``[{"image_id",
      "url": ".../VG_100K_2/1.jpg"}, ...]``): the URL's last two components
      (``VG_100K_2/1.jpg``; VG splits its images over two folders);
    - otherwise ``filename_tmpl`` filled with ``image_id``.

    Phrases are stripped; duplicated phrases of an image are kept once.

    Args:
        ann_file (str): ``region_descriptions.json``.
        image_data_file (str, optional): ``image_data.json`` (joined with
            ``data_root`` when relative). Defaults to None.
        filename_tmpl (str): Defaults to ``'VG_100K/{image_id}.jpg'``.
        **kwargs: See :class:`BaseImageTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 image_data_file: Optional[str] = None,
                 filename_tmpl: str = 'VG_100K/{image_id}.jpg',
                 data_root: str = '',
                 **kwargs) -> None:
        if image_data_file and data_root and \
                not image_data_file.startswith('/'):
            image_data_file = f'{data_root.rstrip("/")}/{image_data_file}'
        self.image_data_file = image_data_file
        self.filename_tmpl = filename_tmpl
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def _image_paths(self) -> Optional[Dict[int, str]]:
        if not self.image_data_file:
            return None
        path = self.image_data_file
        data = self.read_json(path)
        if not isinstance(data, list):
            raise ValueError(f'{type(self).__name__}: invalid annotation '
                             f'({path}): expected a list of images')
        out = {}
        for i, img in enumerate(data):
            where = f'row {i}'
            if not isinstance(img, dict) or 'image_id' not in img:
                self.invalid(path, where, 'image_id', 'missing field')
                continue
            url = self.check_path(img.get('url'), path, where, 'url')
            if url is not None:
                out[img['image_id']] = '/'.join(
                    url.split('?', 1)[0].rstrip('/').split('/')[-2:])
        return out

    def parse_annotations(self) -> List[dict]:
        """Parse the region descriptions.

        Returns:
            list[dict]: One data info per (image, phrase).
        """
        path = self.ann_file
        paths = self._image_paths()
        data = self.read_json(path)
        if not isinstance(data, list):
            raise ValueError(f'{type(self).__name__}: invalid annotation '
                             f'({path}): expected a list of images')
        data_list = []
        for i, img in enumerate(data):
            where = f'row {i}'
            if not isinstance(img, dict) or 'id' not in img:
                self.invalid(path, where, 'id', 'missing field')
                continue
            regions = img.get('regions')
            if not isinstance(regions, list):
                self.invalid(path, where, 'regions', 'expected a list')
                continue
            image_id = img['id']
            phrases: List[str] = []
            for j, region in enumerate(regions):
                phrase = region.get('phrase') if isinstance(region,
                                                            dict) else None
                phrase = self.check_text(phrase, path, where,
                                         f'regions[{j}].phrase')
                if phrase is None:
                    phrases = []
                    break
                phrase = phrase.strip()
                if phrase not in phrases:
                    phrases.append(phrase)
            if not phrases:
                if not regions:
                    self.invalid(path, where, 'regions', 'no region')
                continue
            if paths is not None:
                if image_id not in paths:
                    self.invalid(
                        path, where, 'id', f'image {image_id!r} '
                        f'not in {self.image_data_file}')
                    continue
                rel = paths[image_id]
            else:
                rel = self.format_filename(
                    self.filename_tmpl, image_id=image_id)
            data_list += self.make_infos(rel, image_id, phrases)
        return data_list
