"""All-in-One text-video retrieval: two-stream contrastive + VTM re-ranking."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmallinone.registry import MODELS
from .base import AllInOneBaseModel

__all__ = ['AllInOneRetrieval']


@MODELS.register_module()
class AllInOneRetrieval(AllInOneBaseModel):
    """Text-video retrieval fine-tuning and two-stream inference.

    **Embeddings.** ``text_proj`` / ``video_proj`` (``Linear(C, D)``, keys as
    the authors' ``txt_proj`` / ``vid_proj`` in meaning) map the first token
    of the *unimodal* paths to a shared space: the text [CLS] of
    ``backbone.forward_text`` and the visual CLS of
    ``backbone.forward_video``. Retrieval scores are cosine
    similarities of these embeddings.

    **Training loss** (``task_finetune_ind_itc_irtr_*``),
    with explicit weights (``loss_weights``; a weight of 0 skips the term):

    - ``loss_itc``: symmetric contrastive loss (default
      :class:`VideoTextContrastiveLoss`: fixed temperature 0.05, gathered
      across ranks).
    - ``loss_vtm``: for every video, its caption and ``num_vtm_negatives``
      other captions of the batch are scored by the joint path with the VTM
      head's *match* logit (``vtm_head(pooled)[..., 1]``, the authors'
      ``rank_output``; ``vtm_head`` keeps the pre-training key ``fc`` so it is
      initialised from a pre-training checkpoint by ``load_from``);
      cross-entropy with the true caption as target. Negatives are other
      captions of the batch, never one of the same ``video_id``:
      ``'random'`` (a random draw, the authors sample random captions of the
      dataset) or ``'hard'`` (the most similar by the contrastive
      similarity, without gradient). When the batch has fewer valid
      negatives, fewer are used (and the term is skipped if none).

    **Inference** (``mode='predict'``): every video is encoded once by the
    video-only path and every text once by the text-only path. Texts come from the data sample field ``caption_ids`` (all
    captions of the video, see :class:`TokenizeCaptions`) or, without it,
    ``input_ids``. With ``V`` test views (``mmaction.UniformSample`` with
    ``num_clips=V`` in test mode; ``num_clips`` in the metainfo) the ``V``
    clips of a video are encoded in one batch and each view's embedding is
    kept, so the metric can average the ``V`` similarity matrices (the
    authors' ``retrieval_views``) while texts are still encoded once. Each
    data sample gets ``pred_video_embeds`` ``(V, D)`` and
    ``pred_text_embeds`` ``(K, D)``, L2-normalised; the
    :class:`RetrievalMetric` builds the similarity matrix. The joint
    re-ranking is run by :class:`RetrievalTestLoop` through
    :meth:`vtm_match_scores`.

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        pooler (dict): Pooler config.
        vtm_head (dict, optional): VTM head config. Defaults to
            ``dict(type='VTMHead')``.
        embed_dims (int): Shared embedding size ``D``. Defaults to 512
            (``shared_embedding_dim``).
        contrastive_loss (dict): Contrastive loss config. Defaults to
            ``dict(type='VideoTextContrastiveLoss', temperature=0.05)``.
        loss_weights (dict, optional): Weights of ``itc`` and ``vtm``.
            Defaults to ``dict(itc=1.0, vtm=1.0)`` (the authors' plain sum).
        vtm_negatives (str): ``'random'`` or ``'hard'``. Defaults to
            ``'random'``.
        num_vtm_negatives (int): Negative captions per video. Defaults to 15
            (``draw_false_text`` of the MSR-VTT recipe).
        data_preprocessor (dict, optional): Defaults to
            ``VideoTextDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    INIT_HEADS = ('vtm_head', 'text_proj', 'video_proj')
    NEGATIVES = ('random', 'hard')

    def __init__(self,
                 backbone: dict,
                 pooler: dict = dict(type='AllInOnePooler'),
                 vtm_head: Optional[dict] = dict(type='VTMHead'),
                 embed_dims: int = 512,
                 contrastive_loss: dict = dict(
                     type='VideoTextContrastiveLoss', temperature=0.05),
                 loss_weights: Optional[dict] = None,
                 vtm_negatives: str = 'random',
                 num_vtm_negatives: int = 15,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            pooler=pooler,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        weights = self.merge_loss_weights(dict(itc=1.0, vtm=1.0),
                                          loss_weights)
        self.loss_weights = weights
        if vtm_negatives not in self.NEGATIVES:
            raise ValueError(f'vtm_negatives must be one of '
                             f'{self.NEGATIVES}, got {vtm_negatives!r}')
        if num_vtm_negatives < 1:
            raise ValueError('num_vtm_negatives must be >= 1')
        self.vtm_negatives = vtm_negatives
        self.num_vtm_negatives = num_vtm_negatives
        self.vtm_head = self.build_head(vtm_head)
        if weights['vtm'] > 0 and self.vtm_head is None:
            raise ValueError('loss_weights["vtm"] > 0 needs a vtm_head')
        self.text_proj = nn.Linear(self.embed_dims, embed_dims)
        self.video_proj = nn.Linear(self.embed_dims, embed_dims)
        self.contrastive_loss = MODELS.build(contrastive_loss)

    # ------------------------------------------------------------ encoders
    def encode_text(self, input_ids: Tensor,
                    attention_mask: Optional[Tensor] = None) -> Tensor:
        """Projected text-only [CLS] embeddings ``(N, L) -> (N, D)``."""
        feats = self.backbone.forward_text(input_ids, attention_mask)
        return self.text_proj(feats[:, 0])

    def encode_video(self, imgs: Tensor) -> Tensor:
        """Projected video-only CLS embeddings ``(N, S, 3, H, W)->(N, D)``."""
        feats = self.backbone.forward_video(imgs)
        return self.video_proj(feats[:, 0])

    def vtm_match_scores(self, imgs: Tensor, input_ids: Tensor,
                         attention_mask: Optional[Tensor] = None) -> Tensor:
        """Joint-path match logits of row-wise (video, text) pairs.

        Args:
            imgs (Tensor): ``(N, S, 3, H, W)`` (or ``(1, ...)``, broadcast to
                the ``N`` texts).
            input_ids (Tensor): ``(N, L)``.
            attention_mask (Tensor, optional): ``(N, L)``.

        Returns:
            Tensor: ``(N,)`` match logits (class 1 of the VTM head).
        """
        n = input_ids.shape[0]
        if imgs.shape[0] == 1 and n > 1:
            imgs = imgs.expand(n, *imgs.shape[1:])
        pooled = self.joint_pooled(imgs, input_ids, attention_mask)
        return self.match_logit(pooled)

    # ---------------------------------------------------------------- loss
    @staticmethod
    def _video_ids(data_samples: Optional[list], b: int) -> List:
        if not data_samples:
            return list(range(b))
        return [ds.metainfo.get('video_id', i)
                for i, ds in enumerate(data_samples)]

    def select_negatives(self, text_embeds: Tensor, video_embeds: Tensor,
                         video_ids: List) -> Tuple[Optional[Tensor], int]:
        """Indices ``(B, N)`` of negative captions for each video.

        Args:
            text_embeds (Tensor): ``(B, D)``.
            video_embeds (Tensor): ``(B, D)``.
            video_ids (list): Video id of each sample; captions of the same
                video are never negatives.

        Returns:
            tuple: indices ``(B, N)`` (or None when no sample has a valid
            negative) and ``N``.
        """
        b = text_embeds.shape[0]
        device = text_embeds.device
        same = torch.tensor([[a == c for c in video_ids] for a in video_ids],
                            device=device)
        n = min(self.num_vtm_negatives, int((~same).sum(1).min()))
        if n < 1:
            return None, 0
        if self.vtm_negatives == 'hard':
            with torch.no_grad():
                scores = F.normalize(video_embeds.float(), dim=-1) @ \
                    F.normalize(text_embeds.float(), dim=-1).t()
        else:
            scores = torch.rand(b, b, device=device)
        scores = scores.masked_fill(same, float('-inf'))
        return scores.topk(n, dim=1).indices, n

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        """Weighted contrastive and VTM losses (+ VTM ranking accuracy)."""
        imgs, ids = inputs['imgs'], inputs['input_ids']
        mask = inputs.get('attention_mask')
        if mask is None:
            mask = torch.ones_like(ids)
        w = self.loss_weights
        losses: Dict[str, Tensor] = {}
        text_embeds = self.encode_text(ids, mask)
        video_embeds = self.encode_video(imgs)
        if w['itc'] > 0:
            losses['loss_itc'] = w['itc'] * self.contrastive_loss(
                text_embeds, video_embeds)
        if w['vtm'] > 0:
            neg, n = self.select_negatives(
                text_embeds, video_embeds,
                self._video_ids(data_samples, imgs.shape[0]))
            if neg is not None:
                b = imgs.shape[0]
                own = torch.arange(b, device=ids.device)[:, None]
                text_idx = torch.cat([own, neg], dim=1)  # (B, N+1)
                pooled = self.candidates_pooled(imgs, ids[text_idx],
                                                mask[text_idx])
                scores = self.match_logit(pooled).float()  # (B, N+1)
                target = torch.zeros(b, dtype=torch.long, device=ids.device)
                losses['loss_vtm'] = w['vtm'] * F.cross_entropy(
                    scores, target)
                losses['acc_vtm'] = (scores.argmax(-1) == 0).float().mean()
        if self.contrastive_loss.learnable_temperature:
            losses['itc_temperature'] = \
                self.contrastive_loss.temperature.detach()
        return losses

    # ------------------------------------------------------------- predict
    @staticmethod
    def texts_of(data_samples: list,
                 inputs: Dict[str, Tensor]) -> List[List[Tensor]]:
        """Token id sequences of every sample (all captions when given)."""
        if data_samples and 'caption_ids' in data_samples[0]:
            return [list(ds.caption_ids) for ds in data_samples]
        ids, mask = inputs['input_ids'], inputs['attention_mask']
        return [[ids[i, :int(mask[i].sum())]] for i in range(ids.shape[0])]

    @staticmethod
    def num_views(data_samples: list) -> int:
        """Test views ``V`` (the metainfo's ``num_clips``, default 1)."""
        if not data_samples:
            return 1
        return int(data_samples[0].metainfo.get('num_clips', 1) or 1)

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> list:
        """Encode each video and each text exactly once.

        Args:
            inputs (dict): ``imgs`` ``(B, V*S, 3, H, W)`` and, unless the data
                samples carry ``caption_ids``, ``input_ids`` /
                ``attention_mask``.
            data_samples (list): One per video.

        Returns:
            list: ``data_samples`` with ``pred_video_embeds`` ``(V, D)`` and
            ``pred_text_embeds`` ``(K, D)`` (L2-normalised).
        """
        imgs = inputs['imgs']
        b, vs = imgs.shape[:2]
        v = self.num_views(data_samples)
        if vs % v:
            raise ValueError(f'{vs} frames per sample do not split into '
                             f'{v} views')
        video = self.encode_video(imgs.reshape(b * v, vs // v,
                                               *imgs.shape[2:]))
        video = F.normalize(video.float(), dim=-1).view(b, v, -1)
        texts = self.texts_of(data_samples, inputs)
        flat = [t for per in texts for t in per]
        ids = self.data_preprocessor.pad(flat, self.data_preprocessor.
                                         pad_token_id)
        mask = self.data_preprocessor.mask_of(flat, ids)
        text = F.normalize(self.encode_text(ids, mask).float(), dim=-1)
        start = 0
        for i, ds in enumerate(data_samples):
            k = len(texts[i])
            ds.set_field(video[i].detach(), 'pred_video_embeds')
            ds.set_field(text[start:start + k].detach(), 'pred_text_embeds')
            start += k
        return data_samples
