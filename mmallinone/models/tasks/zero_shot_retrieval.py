"""Zero-shot text-video retrieval straight from a pre-training checkpoint."""
from typing import Dict, Optional, Union

import torch.nn as nn
from torch import Tensor

from mmallinone.registry import MODELS
from .base import AllInOneBaseModel
from .retrieval import AllInOneRetrieval

__all__ = ['AllInOneZeroShotRetrieval']


@MODELS.register_module()
class AllInOneZeroShotRetrieval(AllInOneRetrieval):
    """Retrieval with the pre-trained heads only (no fine-tuning).

    A pre-training checkpoint has no retrieval projections, so the
    two-stream embeddings are the **pooled unimodal features**: the
    pre-trained pooler (``Linear + tanh``) on the text [CLS] of the
    text-only path and on the visual CLS of the video-only path. Their
    cosine similarity is the plain unimodal ranking (the ``t2v/...`` and
    ``v2t/...`` metrics of :class:`RetrievalMetric`). The zero-shot ranking
    proper is the **pre-trained VTM head on the joint path**, which is
    quadratic in the number of pairs, so :class:`RetrievalTestLoop`
    (``rerank_k=k``) scores only the top-``k`` candidates of every query by
    the unimodal similarity (``k`` joint forwards per query instead of one
    per gallery item) and reports them as ``rerank/...``. The checkpoint's
    ``backbone.*``, ``pooler.*`` and ``vtm_head.fc.*`` load without key
    mapping; ``mlm_head.*`` is ignored.

    Inference (``mode='predict'``) and the retrieval scoring
    (``match_scores``, ``rerank_pair_scores``, ...) are
    :class:`AllInOneRetrieval`'s; there is no training loss.

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        pooler (dict): Pooler config. Defaults to ``AllInOnePooler``.
        vtm_head (dict): VTM head config. Defaults to ``VTMHead``.
        data_preprocessor (dict, optional): Defaults to
            ``VideoTextDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    INIT_HEADS = ('vtm_head', )

    def __init__(self,
                 backbone: dict,
                 pooler: dict = dict(type='AllInOnePooler'),
                 vtm_head: dict = dict(type='VTMHead'),
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        # no projections or contrastive loss: AllInOneRetrieval's __init__
        # is skipped on purpose
        AllInOneBaseModel.__init__(
            self,
            backbone=backbone,
            pooler=pooler,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if not pooler or not vtm_head:
            raise ValueError('Zero-shot retrieval needs the pre-trained '
                             'pooler and vtm_head')
        self.vtm_head = self.build_head(vtm_head)

    def encode_text(self, input_ids: Tensor,
                    attention_mask: Optional[Tensor] = None) -> Tensor:
        """Pooled text-only [CLS] ``(N, L) -> (N, C)``."""
        return self.pooler(
            self.backbone.forward_text(input_ids, attention_mask)[:, 0])

    def encode_video(self, imgs: Tensor) -> Tensor:
        """Pooled video-only visual CLS ``(N, S, 3, H, W) -> (N, C)``."""
        return self.pooler(self.backbone.forward_video(imgs)[:, 0])

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        raise RuntimeError(
            'AllInOneZeroShotRetrieval is for evaluation only; fine-tune '
            'with AllInOneRetrieval (its configs load the same checkpoint)')
