"""Zero-shot action classification: class names as text, best match wins."""
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import MMLogger
from torch import Tensor

from mmallinone.registry import MODELS
from .base import AllInOneBaseModel

__all__ = ['AllInOneZeroShotClassifier']


def clean_class_name(name: str) -> str:
    """Turn a label-map name into lower-case words.

    Args:
        name (str): E.g. HMDB51's ``brush_hair`` or UCF101's
            ``ApplyEyeMakeup``.

    Returns:
        str: E.g. ``'brush hair'`` or ``'apply eye makeup'``.
    """
    name = re.sub(r'(?<=[a-z0-9])(?=[A-Z])', ' ', name.strip())
    return re.sub(r'[_\s]+', ' ', name).strip().lower()


def _read_class_names(class_names: Union[str, Sequence[str]]) -> List[str]:
    """Class names from a list or a label-map file (one name a line)."""
    if isinstance(class_names, str):
        path = class_names
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'AllInOneZeroShotClassifier: class-name file "{path}" does '
                'not exist (one class name a line, in label order, as '
                "mmaction2's label maps).")
        with open(path, encoding='utf-8') as f:
            names = [line.strip() for line in f]
        for i, name in enumerate(names, 1):
            if not name:
                raise ValueError(f'{path}, line {i}: empty class name (blank '
                                 'lines are not allowed: line i is class '
                                 'i - 1)')
        return names
    names = [str(n) for n in class_names]
    for i, name in enumerate(names):
        if not name.strip():
            raise ValueError(f'class_names[{i}] is empty')
    return names


@MODELS.register_module()
class AllInOneZeroShotClassifier(AllInOneBaseModel):
    """Classify clips by matching them against class names written as text.

    Each class name is put into ``prompt`` (e.g. ``'a person is {}.'``),
    tokenised once at construction and scored against every clip:

    - ``score='vtm'`` (default): one joint forward per (clip, class) pair;
      the score is the **VTM match logit** ``vtm_head(pooler(cls))[:, 1]``,
      the zero-shot rule the authors use for caption multiple choice, with the pre-training keys (``vtm_head.fc.*``), so a
      pre-training checkpoint loads unchanged. Costs ``B x K`` joint
      forwards; ``class_chunk`` bounds how many run at once.
    - ``score='cosine'``: video-only and text-only first tokens, compared by
      cosine similarity: one video forward per clip and one text forward per
      class (text features are cached in eval mode). With
      ``with_projection=True`` the features first pass ``video_proj`` /
      ``text_proj`` (the keys of :class:`AllInOneRetrieval`, so a retrieval
      checkpoint provides them).

    The authors wire no zero-shot classification (``zs_classify`` is unused); this is the protocol of the paper's text: highest score
    wins. ``predict`` writes ``pred_score`` (softmax over classes ``(K,)``)
    and ``pred_label``; ``mmaction.AccMetric`` computes top-k accuracy.
    Training is not supported (zero-shot only).

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        class_names (str | Sequence[str]): Names in label order, or a file
            with one name a line (mmaction2's label maps).
        prompt (str): Template with one ``{}``. Defaults to ``'{}'``.
        clean_names (bool): Turn label-map names into words (underscores
            and CamelCase split, lower case: HMDB51's ``brush_hair``,
            UCF101's ``ApplyEyeMakeup``). Defaults to True.
        score (str): ``'vtm'`` or ``'cosine'``. Defaults to ``'vtm'``.
        with_projection (bool): Cosine mode only: project with
            ``video_proj`` / ``text_proj`` (``Linear(C, proj_dims)``).
            Defaults to False.
        proj_dims (int): Output width of the projections. Defaults to 512.
        class_chunk (int): Joint forwards run together in VTM mode.
            Defaults to 64.
        tokenizer (dict, optional): Tokenizer config; defaults to the
            shipped ``bert-base-uncased``.
        max_text_len (int, optional): Truncation length of the prompts;
            defaults to the backbone's ``max_text_len``.
        pooler (dict): Pooler config. Defaults to ``AllInOnePooler``.
        vtm_head (dict): VTM head config. Defaults to ``VTMHead``.
        data_preprocessor (dict, optional): Defaults to
            ``VideoTextDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    INIT_HEADS = ('vtm_head', 'text_proj', 'video_proj')
    CAPABILITIES = frozenset({'classify', 'match'})  # match: score='vtm'

    SCORES = ('vtm', 'cosine')

    def __init__(self,
                 backbone: dict,
                 class_names: Union[str, Sequence[str]],
                 prompt: str = '{}',
                 clean_names: bool = True,
                 score: str = 'vtm',
                 with_projection: bool = False,
                 proj_dims: int = 512,
                 class_chunk: int = 64,
                 tokenizer: Optional[dict] = None,
                 max_text_len: Optional[int] = None,
                 pooler: dict = dict(type='AllInOnePooler'),
                 vtm_head: dict = dict(type='VTMHead'),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if score not in self.SCORES:
            raise ValueError(f'score must be one of {self.SCORES}, got '
                             f'{score!r}')
        if prompt.count('{}') != 1:
            raise ValueError(f'prompt must contain exactly one "{{}}", got '
                             f'{prompt!r}')
        if with_projection and score != 'cosine':
            raise ValueError("with_projection needs score='cosine'")
        if class_chunk < 1:
            raise ValueError(f'class_chunk must be >= 1, got {class_chunk}')
        super().__init__(
            backbone=backbone,
            pooler=pooler if score == 'vtm' else None,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.score = score
        self.class_chunk = class_chunk
        self.class_names = _read_class_names(class_names)
        if clean_names:
            self.class_names = [clean_class_name(n) for n in self.class_names]
        if len(self.class_names) < 2:
            raise ValueError('Zero-shot classification needs at least 2 '
                             f'classes, got {len(self.class_names)}')
        self.prompt = prompt
        self.vtm_head = self.build_head(vtm_head) if score == 'vtm' else None
        if with_projection:
            self.text_proj = nn.Linear(self.embed_dims, proj_dims)
            self.video_proj = nn.Linear(self.embed_dims, proj_dims)
        else:
            self.text_proj = self.video_proj = None

        from mmallinone.tokenizers import build_tokenizer
        tok = build_tokenizer(tokenizer)
        length = max_text_len or self.backbone.max_text_len
        enc = tok([prompt.format(n) for n in self.class_names],
                  padding='longest', truncation=True, max_length=length,
                  return_tensors='pt')
        self.register_buffer('class_ids', enc['input_ids'], False)
        self.register_buffer('class_mask', enc['attention_mask'], False)
        self._text_cache: Optional[Tensor] = None
        MMLogger.get_current_instance().info(
            f'Zero-shot classification over {len(self.class_names)} '
            f'classes, prompt {prompt!r}, score {score!r}.')

    @property
    def num_classes(self) -> int:
        """Number of classes ``K``."""
        return len(self.class_names)

    def train(self, mode: bool = True) -> 'AllInOneZeroShotClassifier':
        self._text_cache = None  # weights may change: recompute
        return super().train(mode)

    # -------------------------------------------------------------- scores
    def class_text_embeds(self) -> Tensor:
        """Normalised text embeddings of the classes ``(K, D)``."""
        if self._text_cache is not None and not self.training:
            return self._text_cache
        feats = self.backbone.forward_text(self.class_ids, self.class_mask)
        emb = feats[:, 0]
        if self.text_proj is not None:
            emb = self.text_proj(emb)
        emb = F.normalize(emb.float(), dim=-1)
        if not self.training:
            self._text_cache = emb
        return emb

    def class_scores(self, imgs: Tensor) -> Tensor:
        """Scores ``(B, K)`` of every class for clips ``(B, S, 3, H, W)``."""
        if self.score == 'cosine':
            video = self.backbone.forward_video(imgs)[:, 0]
            if self.video_proj is not None:
                video = self.video_proj(video)
            video = F.normalize(video.float(), dim=-1)
            return video @ self.class_text_embeds().t()
        b, k = imgs.shape[0], self.num_classes
        pairs = b * k
        video_idx = torch.arange(b, device=imgs.device).repeat_interleave(k)
        class_idx = torch.arange(k, device=imgs.device).repeat(b)
        scores = []
        for start in range(0, pairs, self.class_chunk):
            vi = video_idx[start:start + self.class_chunk]
            ci = class_idx[start:start + self.class_chunk]
            pooled = self.joint_pooled(imgs[vi], self.class_ids[ci],
                                       self.class_mask[ci])
            scores.append(self.match_logit(pooled).float())
        return torch.cat(scores).view(b, k)

    # ------------------------------------------------------- entry points
    def extract_feat(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """``dict(scores=(B, K))``."""
        return dict(scores=self.class_scores(inputs['imgs']))

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        raise NotImplementedError(
            'AllInOneZeroShotClassifier is evaluation-only (zero-shot): run '
            'tools/test.py with a pre-training (or retrieval) checkpoint. '
            'Train a classifier with the linear-probe configs in '
            'configs/recognition/.')

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> list:
        """Write ``pred_score`` ``(K,)`` (softmax) and ``pred_label``."""
        scores = self.class_scores(inputs['imgs']).softmax(-1)
        return self.write_predictions(scores, data_samples)
