"""Visual Commonsense Reasoning (VCR, Zellers et al. 2019), image QA."""
import json
from typing import Any, Callable, List, Optional, Union

import numpy as np

from mmallinone.registry import DATASETS
from .base import AnnotationError, BaseVideoTextDataset
from .qa.base import _RowMixin

__all__ = ['VCRDataset', 'parse_vcr_metadata']

#: A VCR token: a word, or a non-empty list of object indices.
Token = Union[str, List[int]]


def parse_vcr_metadata(text: str, num_objects: int,
                       report: Callable[[Optional[str], str], None]
                       ) -> Optional[dict]:
    """Parse and check one VCR ``metadata_fn`` JSON file.

    The file holds, per object of the annotation row (same order as its
    ``objects``), ``boxes`` ``[x1, y1, x2, y2, score]`` in pixels of the
    original image and ``segms``: a list of polygons, each a list of
    ``[x, y]`` points (empty for an object without a mask); plus ``names``,
    ``width`` and ``height``.

    Args:
        text (str): The file content.
        num_objects (int): ``len(objects)`` of the annotation row.
        report (Callable): ``report(field, message)``, called for each
            problem (it may raise).

    Returns:
        dict | None: ``boxes`` float32 ``(N, 4)``, ``segms`` (list of N
        lists of float32 ``(P, 2)`` polygons) and ``meta_size`` ``(W, H)``
        or None; None when a problem was reported.
    """
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as e:
        report(None, f'malformed JSON (line {e.lineno}): {e.msg}')
        return None
    if not isinstance(meta, dict):
        report(None, f'expected an object, got {type(meta).__name__}')
        return None
    boxes = meta.get('boxes')
    if not isinstance(boxes, list) or len(boxes) != num_objects:
        report('boxes', f'expected a list of {num_objects} boxes (one per '
               f'object of the row), got {boxes!r:.80}')
        return None
    out_boxes = np.zeros((num_objects, 4), dtype=np.float32)
    for i, box in enumerate(boxes):
        ok = isinstance(box, (list, tuple)) and len(box) in (4, 5) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            and np.isfinite(v) for v in box)
        if not ok or box[2] < box[0] or box[3] < box[1]:
            report(f'boxes[{i}]', 'expected [x1, y1, x2, y2(, score)] with '
                   f'x2 >= x1 and y2 >= y1, got {box!r:.80}')
            return None
        out_boxes[i] = box[:4]
    segms = meta.get('segms')
    out_segms: List[List[np.ndarray]] = [[] for _ in range(num_objects)]
    if segms is not None:
        if not isinstance(segms, list) or len(segms) != num_objects:
            report('segms', f'expected a list of {num_objects} polygon lists,'
                   f' got {segms!r:.80}')
            return None
        for i, polys in enumerate(segms):
            if polys is None:
                continue
            if not isinstance(polys, list):
                report(f'segms[{i}]', 'expected a list of polygons, got '
                       f'{type(polys).__name__}')
                return None
            for j, poly in enumerate(polys):
                try:
                    arr = np.asarray(poly, dtype=np.float32)
                except (TypeError, ValueError):
                    arr = np.zeros((0, ))
                if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) < 3 or \
                        not np.isfinite(arr).all():
                    report(f'segms[{i}][{j}]', 'expected a polygon of >= 3 '
                           f'[x, y] points, got {poly!r:.80}')
                    return None
                out_segms[i].append(arr)
    names = meta.get('names')
    if names is not None and (not isinstance(names, list)
                              or len(names) != num_objects):
        report('names', f'expected {num_objects} names, got {names!r:.80}')
        return None
    size = None
    if isinstance(meta.get('width'), (int, float)) and \
            isinstance(meta.get('height'), (int, float)):
        size = (float(meta['width']), float(meta['height']))
    return dict(boxes=out_boxes, segms=out_segms, meta_size=size)


@DATASETS.register_module()
class VCRDataset(_RowMixin, BaseVideoTextDataset):
    """VCR: Q->A, QA->R and Q->AR on the official annotation format.

    Reads ``train.jsonl`` / ``val.jsonl`` (``test.jsonl`` with
    ``require_labels=False``) of ``vcr1annots``; one JSON object per line::

        {"annot_id": "val-0", "img_fn": "lsmdc_x/x@4.jpg",
         "metadata_fn": "lsmdc_x/x@4.json",
         "objects": ["person", "person", "bottle"],
         "question": ["What", "is", [0], "doing", "?"],
         "answer_choices": [[[0], "is", "arm", "wrestling", "."], ...],
         "rationale_choices": [[[0, 1], "grip", "hands", "."], ...],
         "answer_label": 0, "rationale_label": 1}

    A token is a word or a list of object indices into ``objects`` (e.g.
    ``[0, 1]`` = "person 1 and person 2"). Images and metadata files are
    under ``data_prefix['img']`` (``vcr1images``); the metadata JSON holds
    the objects' ``boxes`` ``[x1, y1, x2, y2, score]`` and ``segms``
    polygons, read when a sample is loaded (see
    :func:`parse_vcr_metadata`) and checked against ``objects``.

    Each data info: ``filename`` (image), ``metadata_file``, ``objects``,
    ``question_tokens``, ``answer_tokens`` (K token lists),
    ``rationale_tokens`` (K), ``answer_label``, ``rationale_label``,
    ``label`` (= ``answer_label``, the ``gt_label``), ``annot_id``,
    ``video_id`` (= ``img_fn``); after loading also ``boxes``, ``segms``,
    ``meta_size``. :class:`VCRMarkEntities` turns the tokens into texts and
    marks the referenced objects on the image.

    Malformed rows raise :class:`AnnotationError` naming the file, line and
    field (or are logged and counted with ``skip_invalid_rows=True``). A
    malformed metadata file raises naming the metadata file, the annotation
    line and the field when the sample is loaded (training: the sample is
    skipped, logged and counted; test mode: error), or at construction with
    ``check_metadata=True``.

    Args:
        ann_file (str): The JSONL file.
        num_candidates (int): Answers and rationales per question.
            Defaults to 4.
        require_labels (bool): Rows must have ``answer_label`` and
            ``rationale_label``; False (the unlabelled test split) sets both
            to -1. Defaults to True.
        check_metadata (bool): Read and check every metadata file at
            construction. Defaults to False.
        data_prefix (dict): ``dict(img=...)``, the ``vcr1images`` folder.
            Defaults to ``dict(img='vcr1images')``.
        **kwargs: See :class:`BaseVideoTextDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 num_candidates: int = 4,
                 require_labels: bool = True,
                 check_metadata: bool = False,
                 data_prefix: dict = dict(img='vcr1images'),
                 **kwargs) -> None:
        if num_candidates < 2:
            raise ValueError(f'num_candidates must be >= 2, got '
                             f'{num_candidates}')
        self.num_candidates = num_candidates
        self.require_labels = require_labels
        self.check_metadata = check_metadata
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    @property
    def video_prefix(self) -> str:
        """Folder of images and metadata (``data_prefix['img']``)."""
        return self.data_prefix.get('img', self.data_prefix.get('video',
                                                                '')) or ''

    # ------------------------------------------------------------- parsing
    def check_tokens(self, value: Any, num_objects: int, path: str, where,
                     key: str) -> Optional[List[Token]]:
        """Validate a token list (words and object-index lists)."""
        if not isinstance(value, list) or not value:
            self.invalid(path, where, key, 'expected a non-empty list of '
                         f'tokens, got {value!r:.80}')
            return None
        out: List[Token] = []
        for i, tok in enumerate(value):
            if isinstance(tok, str):
                out.append(tok)
                continue
            if isinstance(tok, list) and tok and all(
                    isinstance(j, int) and not isinstance(j, bool)
                    for j in tok):
                bad = [j for j in tok if not 0 <= j < num_objects]
                if bad:
                    self.invalid(path, where, f'{key}[{i}]',
                                 f'object index {bad[0]} out of range for '
                                 f'{num_objects} objects')
                    return None
                out.append(list(tok))
                continue
            self.invalid(path, where, f'{key}[{i}]', 'expected a word or a '
                         f'non-empty list of object indices, got {tok!r:.40}')
            return None
        return out

    def _choices(self, row: dict, key: str, num_objects: int, path: str,
                 where) -> Optional[List[List[Token]]]:
        value = self.field(row, key, path, where, (list, ))
        if value is None:
            return None
        if len(value) != self.num_candidates:
            self.invalid(path, where, key, f'expected {self.num_candidates} '
                         f'choices, got {len(value)}')
            return None
        out = []
        for i, choice in enumerate(value):
            choice = self.check_tokens(choice, num_objects, path, where,
                                       f'{key}[{i}]')
            if choice is None:
                return None
            out.append(choice)
        return out

    def _label(self, row: dict, key: str, path: str, where) -> Optional[int]:
        if key not in row and not self.require_labels:
            return -1
        if key not in row:
            self.invalid(path, where, key, 'missing field (set '
                         'require_labels=False for the unlabelled test '
                         'split)')
            return None
        value = row[key]
        if not isinstance(value, int) or isinstance(value, bool):
            self.invalid(path, where, key, 'expected an integer, got '
                         f'{value!r:.40}')
            return None
        return self.parse_int(value, path, where, key, 0,
                              self.num_candidates)

    def parse_row(self, row: Any, path: str, where) -> Optional[dict]:
        """One annotation row -> data info (None if reported invalid)."""
        img_fn = self.field(row, 'img_fn', path, where)
        if img_fn is None:
            return None
        meta_fn = self.field(row, 'metadata_fn', path, where)
        objects = self.field(row, 'objects', path, where, (list, )) \
            if meta_fn is not None else None
        if objects is None:
            return None
        for i, name in enumerate(objects):
            if not isinstance(name, str) or not name.strip():
                self.invalid(path, where, f'objects[{i}]', 'expected a '
                             f'non-empty class name, got {name!r:.40}')
                return None
        n = len(objects)
        if 'question' not in row:
            self.invalid(path, where, 'question', 'missing field')
            return None
        question = self.check_tokens(row['question'], n, path, where,
                                     'question')
        if question is None:
            return None
        answers = self._choices(row, 'answer_choices', n, path, where)
        rationales = self._choices(row, 'rationale_choices', n, path,
                                   where) if answers is not None else None
        if rationales is None:
            return None
        answer_label = self._label(row, 'answer_label', path, where)
        rationale_label = self._label(row, 'rationale_label', path, where) \
            if answer_label is not None else None
        if rationale_label is None:
            return None
        annot_id = row.get('annot_id', f'{path}:{where}')
        return dict(
            filename=self.media_path(img_fn),
            metadata_file=self.media_path(meta_fn),
            video_id=img_fn,
            annot_id=str(annot_id),
            ann_line=where,
            objects=list(objects),
            question_tokens=question,
            answer_tokens=answers,
            rationale_tokens=rationales,
            answer_label=answer_label,
            rationale_label=rationale_label,
            label=answer_label,
            modality='image')

    def load_data_list(self) -> List[dict]:
        """Parse the JSONL file: one sample per question."""
        path = self.ann_file
        data_list = []
        for where, row in self.read_json_rows(path):
            info = self.parse_row(row, path, where)
            if info is None:
                continue
            if self.check_metadata:
                meta = self._metadata(info, lambda field, msg, w=where: self
                                      .invalid(path, w, field, msg))
                if meta is None:
                    continue
            data_list.append(info)
        return data_list

    # ------------------------------------------------------------ metadata
    def _metadata(self, info: dict, report: Callable) -> Optional[dict]:
        meta_file = info['metadata_file']
        try:
            text = self.read_text(meta_file)
        except FileNotFoundError:
            report('metadata_fn', f'metadata file not found: {meta_file}')
            return None
        return parse_vcr_metadata(text, len(info['objects']), report)

    def load_sample_annotation(self, info: dict) -> dict:
        """Read the sample's metadata (boxes, polygons) into ``info``."""
        meta_file = info['metadata_file']

        def report(field: Optional[str], msg: str) -> None:
            where = f'{meta_file} (for {self.ann_file}, line ' \
                f'{info.get("ann_line")})'
            if field is not None:
                where += f', field "{field}"'
            raise AnnotationError(f'{type(self).__name__}: invalid metadata '
                                  f'({where}): {msg}')

        meta = self._metadata(info, report)
        info.update(meta)
        return info
