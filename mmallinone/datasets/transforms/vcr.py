"""VCR transforms: mark referenced objects on the image and in the text."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmallinone.registry import TRANSFORMS
from .formatting import PackVideoTextInputs

__all__ = [
    'VCRMarkEntities', 'PackVCRInputs', 'VCR_PALETTE', 'VCR_PERSON_NAMES'
]

#: 21 named, well separated colours ``(name, (R, G, B))``; the k-th
#: referenced object of a sample (order of first mention) gets colour
#: ``k % 21``, so a tag ("person 1") always has the same colour. The names
#: are single words of the BERT vocabulary.
VCR_PALETTE: Tuple[Tuple[str, Tuple[int, int, int]], ...] = (
    ('red', (230, 25, 75)),
    ('green', (60, 180, 75)),
    ('blue', (0, 130, 200)),
    ('yellow', (255, 225, 25)),
    ('orange', (245, 130, 48)),
    ('purple', (145, 30, 180)),
    ('cyan', (70, 240, 240)),
    ('magenta', (240, 50, 230)),
    ('lime', (210, 245, 60)),
    ('pink', (250, 190, 212)),
    ('teal', (0, 128, 128)),
    ('lavender', (220, 190, 255)),
    ('brown', (170, 110, 40)),
    ('beige', (255, 250, 200)),
    ('maroon', (128, 0, 0)),
    ('mint', (170, 255, 195)),
    ('olive', (128, 128, 0)),
    ('peach', (255, 215, 180)),
    ('navy', (0, 0, 128)),
    ('grey', (128, 128, 128)),
    ('black', (0, 0, 0)),
)

#: Gender-neutral names given to referenced persons (``text_style=
#: 'person_name'``), by order of first mention.
VCR_PERSON_NAMES: Tuple[str, ...] = (
    'Casey', 'Riley', 'Jessie', 'Jackie', 'Avery', 'Jaime', 'Peyton',
    'Kerry', 'Jody', 'Kendall', 'Skyler', 'Frankie', 'Pat', 'Quinn',
    'Morgan', 'Jordan', 'Taylor', 'Alex', 'Sam', 'Charlie', 'Robin')


@TRANSFORMS.register_module()
class VCRMarkEntities(BaseTransform):
    """Mark the objects a VCR item refers to, in the image and the text.

    The referenced objects (those whose index appears in the question, any
    answer or any rationale) are numbered ``k = 0, 1, ...`` in order of
    first mention (question, then answers, then rationales). Object ``k``
    gets the colour ``palette[k % len(palette)]`` and

    - **image**: its segmentation polygons (``mode='mask'``; the box when
      it has none) or its box (``mode='box'``) are tinted with the colour
      (``out = (1 - alpha) * img + alpha * colour``) and its box is
      outlined in the colour (``thickness`` pixels, 0 for none). Objects
      are drawn in mention order (later ones on top). Boxes are in pixels
      of the original image; when the metadata's ``width``/``height``
      differ from the decoded image they are rescaled. Use this transform
      *before* any resize / crop.
    - **text**: a reference token (a list of object indices) becomes the
      tags of its objects joined with ``' and '``; a tag is, by
      ``text_style``:

      - ``'name_index'`` (the authors): ``'<name> <k+1>'``,
        e.g. ``'person 1'``;
      - ``'colour'``: ``'<colour> <name>'``, e.g. ``'red person'`` (the
        colour it is drawn in);
      - ``'person_name'``: a person (``person_classes``) is called
        ``person_names[k]`` (e.g. ``'Casey'``), other objects as
        ``'colour'``.

    Texts built (words joined with spaces):

    - ``question`` (also ``text``);
    - ``candidates``: the K answers, for Q->A (tokenise with
      ``TokenizeCandidates(prefix_key='question')``: ``[CLS] question
      [SEP] answer [SEP]``);
    - ``qa_prefix``: question + the right answer, and
      ``rationale_candidates``: the K rationales, for QA->R
      (``TokenizeCandidates(prefix_key='qa_prefix',
      candidates_key='rationale_candidates', output_key='rationale_ids')``;
      the authors: ``question + gt_answer + [SEP] + rationale``). Without
      an answer label (test split, -1) the prefix is the question alone.

    Required keys: ``imgs`` (list of uint8 RGB (H, W, 3) frames, e.g. from
    ``LoadImageAsClip``), ``objects``, ``boxes`` (N, 4), ``question_tokens``,
    ``answer_tokens``, ``rationale_tokens``, ``answer_label``; optional
    ``segms``, ``meta_size``, ``annot_id``.

    Added keys: ``imgs`` (marked; every frame), ``question``, ``text``,
    ``candidates``, ``qa_prefix``, ``rationale_candidates``,
    ``vcr_entities`` (list of dicts ``index``, ``tag``, ``colour``,
    ``rgb`` in mention order) and ``vis_file`` when a PNG was written.

    Args:
        mode (str): ``'box'`` (the authors) or ``'mask'``.
            Defaults to ``'box'``.
        alpha (float): Tint opacity. Defaults to 0.3 (the authors).
        thickness (int): Box outline width in pixels. Defaults to 2.
        text_style (str): ``'name_index'``, ``'colour'`` or
            ``'person_name'``. Defaults to ``'name_index'``.
        draw_all (bool): Also draw the objects no text refers to (after
            the referenced ones, continuing the numbering). Defaults to
            False.
        palette (Sequence, optional): ``(name, (R, G, B))`` pairs. Defaults
            to :data:`VCR_PALETTE`.
        person_names (Sequence[str], optional): Defaults to
            :data:`VCR_PERSON_NAMES`.
        person_classes (Sequence[str]): Class names that get a person name.
            Defaults to ``('person', )``.
        vis_dir (str, optional): Write each marked image as
            ``<vis_dir>/<annot_id>.png`` (visualisation). Defaults to None.
        max_vis (int, optional): Stop writing after this many images (per
            process). Defaults to None (no limit).
    """

    def __init__(self,
                 mode: str = 'box',
                 alpha: float = 0.3,
                 thickness: int = 2,
                 text_style: str = 'name_index',
                 draw_all: bool = False,
                 palette: Optional[Sequence] = None,
                 person_names: Optional[Sequence[str]] = None,
                 person_classes: Sequence[str] = ('person', ),
                 vis_dir: Optional[str] = None,
                 max_vis: Optional[int] = None) -> None:
        if mode not in ('mask', 'box'):
            raise ValueError(f"mode must be 'mask' or 'box', got {mode!r}")
        if text_style not in ('name_index', 'colour', 'person_name'):
            raise ValueError("text_style must be 'name_index', 'colour' or "
                             f"'person_name', got {text_style!r}")
        if not 0 <= alpha <= 1:
            raise ValueError(f'alpha must be in [0, 1], got {alpha}')
        self.mode = mode
        self.alpha = alpha
        self.thickness = int(thickness)
        self.text_style = text_style
        self.draw_all = draw_all
        self.palette = [(str(n), tuple(int(v) for v in rgb))
                        for n, rgb in (palette or VCR_PALETTE)]
        if not self.palette:
            raise ValueError('palette is empty')
        self.person_names = list(person_names or VCR_PERSON_NAMES)
        self.person_classes = set(person_classes)
        self.vis_dir = vis_dir
        self.max_vis = max_vis
        self._num_vis = 0

    # ---------------------------------------------------------------- text
    @staticmethod
    def mention_order(token_lists: Sequence[Sequence]) -> List[int]:
        """Object indices in order of first mention."""
        order: List[int] = []
        seen = set()
        for tokens in token_lists:
            for tok in tokens:
                if isinstance(tok, str):
                    continue
                for idx in tok:
                    if idx not in seen:
                        seen.add(idx)
                        order.append(int(idx))
        return order

    def tag(self, name: str, k: int) -> str:
        """Text of the k-th referenced object (0-based) of class ``name``."""
        if self.text_style == 'name_index':
            return f'{name} {k + 1}'
        if self.text_style == 'person_name' and name in self.person_classes:
            return self.person_names[k % len(self.person_names)]
        return f'{self.palette[k % len(self.palette)][0]} {name}'

    @staticmethod
    def render(tokens: Sequence, tags: Dict[int, str]) -> str:
        """Join words and reference tags with spaces."""
        words = []
        for tok in tokens:
            if isinstance(tok, str):
                words.append(tok)
            else:
                words.append(' and '.join(tags[int(i)] for i in tok))
        return ' '.join(words)

    # --------------------------------------------------------------- image
    def draw(self, img: np.ndarray, boxes: np.ndarray,
             segms: Optional[List[List[np.ndarray]]], order: List[int],
             scale: Tuple[float, float]) -> np.ndarray:
        """Tint and outline objects ``order`` on a copy of ``img``."""
        out = img.astype(np.float32)
        h, w = img.shape[:2]
        sx, sy = scale
        for k, idx in enumerate(order):
            rgb = np.asarray(self.palette[k % len(self.palette)][1],
                             dtype=np.float32)
            x1, y1, x2, y2 = (boxes[idx] * [sx, sy, sx, sy]).tolist()
            pt1 = (int(round(x1)), int(round(y1)))
            pt2 = (int(round(x2)), int(round(y2)))
            mask = np.zeros((h, w), dtype=np.uint8)
            polys = segms[idx] if segms is not None else []
            if self.mode == 'mask' and polys:
                cv2.fillPoly(mask, [
                    np.round(p * [sx, sy]).astype(np.int32) for p in polys
                ], 1)
            else:
                cv2.rectangle(mask, pt1, pt2, 1, thickness=-1)
            sel = mask.astype(bool)
            out[sel] = (1 - self.alpha) * out[sel] + self.alpha * rgb
            if self.thickness > 0:
                outline = np.zeros((h, w), dtype=np.uint8)
                cv2.rectangle(outline, pt1, pt2, 1, thickness=self.thickness)
                out[outline.astype(bool)] = rgb
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)

    def transform(self, results: dict) -> dict:
        """Mark the image(s) and build the texts."""
        objects = results['objects']
        token_lists = [results['question_tokens'],
                       *results['answer_tokens'],
                       *results['rationale_tokens']]
        order = self.mention_order(token_lists)
        if self.draw_all:
            order += [i for i in range(len(objects)) if i not in order]
        tags = {idx: self.tag(objects[idx], k) for k, idx in enumerate(order)}

        question = self.render(results['question_tokens'], tags)
        answers = [self.render(a, tags) for a in results['answer_tokens']]
        results['question'] = question
        results['text'] = question
        results['candidates'] = answers
        label = int(results.get('answer_label', -1))
        results['qa_prefix'] = f'{question} {answers[label]}' \
            if 0 <= label < len(answers) else question
        results['rationale_candidates'] = [
            self.render(r, tags) for r in results['rationale_tokens']
        ]
        results['vcr_entities'] = [
            dict(index=idx, tag=tags[idx],
                 colour=self.palette[k % len(self.palette)][0],
                 rgb=self.palette[k % len(self.palette)][1])
            for k, idx in enumerate(order)
        ]

        imgs = results['imgs']
        h, w = imgs[0].shape[:2]
        scale = (1.0, 1.0)
        meta_size = results.get('meta_size')
        if meta_size:
            scale = (w / meta_size[0], h / meta_size[1])
        boxes = np.asarray(results['boxes'], dtype=np.float32).reshape(-1, 4)
        marked_cache: Dict[int, np.ndarray] = {}
        marked = []
        for img in imgs:  # an image clip repeats one array: draw it once
            if id(img) not in marked_cache:
                marked_cache[id(img)] = self.draw(img, boxes,
                                                  results.get('segms'),
                                                  order, scale)
            marked.append(marked_cache[id(img)])
        results['imgs'] = marked
        if self.vis_dir and (self.max_vis is None
                             or self._num_vis < self.max_vis):
            results['vis_file'] = self.visualize(marked[0], results)
        return results

    def visualize(self, img: np.ndarray, results: dict) -> str:
        """Write the marked RGB image as a PNG; return its path."""
        name = str(results.get('annot_id', results.get('sample_idx', 0)))
        name = name.replace(os.sep, '_').replace(':', '_')
        path = osp.join(self.vis_dir, f'{name}.png')
        os.makedirs(self.vis_dir, exist_ok=True)
        if not mmcv.imwrite(img[..., ::-1], path):
            raise OSError(f'VCRMarkEntities: cannot write {path}')
        self._num_vis += 1
        return path

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mode={self.mode!r}, '
                f'alpha={self.alpha}, thickness={self.thickness}, '
                f'text_style={self.text_style!r}, '
                f'draw_all={self.draw_all}, vis_dir={self.vis_dir!r})')


@TRANSFORMS.register_module()
class PackVCRInputs(PackVideoTextInputs):
    """:class:`PackVideoTextInputs` plus VCR's QA->R candidates and label.

    Checks that both candidate lists are there (``candidate_ids`` and
    ``rationale_ids``, from the two ``TokenizeCandidates`` steps; both go
    into ``inputs``) and adds ``rationale_label`` (LongTensor (1, )) to the
    data sample; ``gt_label`` is the answer label (``label``).

    Args:
        meta_keys (Sequence[str]): As :class:`PackVideoTextInputs`.
            Defaults to ``('text', 'video_id', 'filename', 'sample_idx',
            'img_shape', 'annot_id', 'question', 'candidates', 'qa_prefix',
            'rationale_candidates', 'vcr_entities')``.
        algorithm_keys (Sequence[str]): Defaults to ().
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('text', 'video_id', 'filename',
                                             'sample_idx', 'img_shape',
                                             'annot_id', 'question',
                                             'candidates', 'qa_prefix',
                                             'rationale_candidates',
                                             'vcr_entities'),
                 algorithm_keys: Sequence[str] = ()) -> None:
        super().__init__(meta_keys=meta_keys, algorithm_keys=algorithm_keys)

    def transform(self, results: dict) -> dict:
        """Pack ``results`` (see :class:`PackVideoTextInputs`)."""
        for key in ('candidate_ids', 'rationale_ids'):
            if key not in results:
                raise KeyError(f'PackVCRInputs: results has no {key!r}; '
                               'add the two TokenizeCandidates steps')
        packed = super().transform(results)
        packed['data_samples'].set_field(
            torch.tensor([int(results.get('rationale_label', -1))],
                         dtype=torch.long), 'rationale_label')
        return packed
