"""COCO Captions: Karpathy's ``dataset_coco.json`` or ``captions_*.json``."""
from collections import OrderedDict
from typing import Any, List, Sequence

from mmallinone.registry import DATASETS
from .base import BaseImageTextDataset

__all__ = ['COCOCaptionDataset']


@DATASETS.register_module()
class COCOCaptionDataset(BaseImageTextDataset):
    """COCO image-caption pairs in either of the usual annotation formats.

    - ``'karpathy'``: ``dataset_coco.json``, ``{"images": [{"filepath":
      "val2014", "filename": "COCO_val2014_...jpg", "cocoid": 391895,
      "split": "train" | "restval" | "val" | "test", "sentences": [{"raw":
      "..."}, ...]}, ...]}``; images at ``<filepath>/<filename>``; only the
      images whose ``split`` is in ``splits`` are kept (the authors / ViLT
      pre-train on ``train`` + ``restval``).
    - ``'official'``: ``captions_train2017.json`` (or 2014),
      ``{"images": [{"id", "file_name"}], "annotations": [{"image_id",
      "caption"}]}``; images at ``<file_name>`` (set ``data_prefix`` to the
      split folder, e.g. ``dict(img='train2017')``); ``splits`` is ignored.
    - ``'auto'``: ``'official'`` if the file has ``annotations``, else
      ``'karpathy'``.

    Captions keep the file's order; an image without caption is reported.

    Args:
        ann_file (str): The JSON file.
        ann_format (str): ``'auto'``, ``'karpathy'`` or ``'official'``.
            Defaults to ``'auto'``.
        splits (Sequence[str]): Karpathy splits to keep. Defaults to
            ``('train', 'restval')``.
        **kwargs: See :class:`BaseImageTextDataset`.
    """

    FORMATS = ('auto', 'karpathy', 'official')

    def __init__(self,
                 ann_file: str,
                 ann_format: str = 'auto',
                 splits: Sequence[str] = ('train', 'restval'),
                 **kwargs) -> None:
        if ann_format not in self.FORMATS:
            raise ValueError(f'ann_format must be one of {self.FORMATS}, '
                             f'got {ann_format!r}')
        self.ann_format = ann_format
        self.splits = tuple(splits)
        super().__init__(ann_file=ann_file, **kwargs)

    def _list_field(self, data: Any, key: str, path: str) -> list:
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            raise ValueError(
                f'{type(self).__name__}: invalid annotation ({path}, field '
                f'"{key}"): expected an object with a list "{key}"')
        return data[key]

    def parse_annotations(self) -> List[dict]:
        """Parse the JSON file.

        Returns:
            list[dict]: One data info per (image, caption).
        """
        path = self.ann_file
        data = self.read_json(path)
        fmt = self.ann_format
        if fmt == 'auto':
            fmt = 'official' if isinstance(data, dict) and \
                'annotations' in data else 'karpathy'
        if fmt == 'karpathy':
            return self._parse_karpathy(data, path)
        return self._parse_official(data, path)

    def _parse_karpathy(self, data: Any, path: str) -> List[dict]:
        data_list = []
        for i, img in enumerate(self._list_field(data, 'images', path)):
            where = f'images[{i}]'
            if not isinstance(img, dict):
                self.invalid(path, where, None, 'expected an object')
                continue
            missing = [
                k for k in ('filename', 'split', 'sentences') if k not in img
            ]
            if missing:
                self.invalid(path, where, missing[0], 'missing field')
                continue
            if img['split'] not in self.splits:
                continue
            name = self.check_path(img['filename'], path, where, 'filename')
            if name is None:
                continue
            folder = img.get('filepath', '')
            rel = f'{folder}/{name}' if folder else name
            sents = img['sentences']
            if not isinstance(sents, list) or not sents:
                self.invalid(path, where, 'sentences',
                             'expected a non-empty list')
                continue
            captions = []
            for j, sent in enumerate(sents):
                raw = sent.get('raw') if isinstance(sent, dict) else None
                cap = self.check_text(raw, path, where, f'sentences[{j}].raw')
                if cap is None:
                    break
                captions.append(cap.strip())
            else:
                data_list += self.make_infos(rel, img.get('cocoid', name),
                                             captions)
        return data_list

    def _parse_official(self, data: Any, path: str) -> List[dict]:
        files: 'OrderedDict[Any, str]' = OrderedDict()
        for i, img in enumerate(self._list_field(data, 'images', path)):
            where = f'images[{i}]'
            if not isinstance(img, dict) or 'id' not in img:
                self.invalid(path, where, 'id', 'missing field')
                continue
            name = self.check_path(
                img.get('file_name'), path, where, 'file_name')
            if name is not None:
                files[img['id']] = name
        captions: 'OrderedDict[Any, List[str]]' = OrderedDict(
            (k, []) for k in files)
        for i, ann in enumerate(self._list_field(data, 'annotations', path)):
            where = f'annotations[{i}]'
            if not isinstance(ann, dict) or 'image_id' not in ann:
                self.invalid(path, where, 'image_id', 'missing field')
                continue
            if ann['image_id'] not in files:
                self.invalid(path, where, 'image_id',
                             f'unknown image id {ann["image_id"]!r}')
                continue
            cap = self.check_text(ann.get('caption'), path, where, 'caption')
            if cap is not None:
                captions[ann['image_id']].append(cap.strip())
        data_list = []
        for image_id, caps in captions.items():
            if not caps:
                self.invalid(path, f'image id {image_id!r}', 'annotations',
                             'image without caption')
                continue
            data_list += self.make_infos(files[image_id], image_id, caps)
        return data_list
