"""All-in-One text-video retrieval: two-stream contrastive + VTM re-ranking."""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmallinone.registry import MODELS
from mmallinone.structures import middle_view, pad_token_ids
from ..utils.retrieval_scoring import (rerank_candidates, rerank_matrices,
                                       similarity_matrix)
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

    **Inference** (``mode='predict'``): every video view is encoded once by
    the video-only path and every text once by the text-only path. Texts are
    ``caption_ids`` (all captions of a test video, see
    :class:`TokenizeCaptions`) or, without them, ``input_ids``. With ``V``
    test views (``imgs`` ``(B, V, S, 3, H, W)``, packed by
    :class:`PackRetrievalInputs`) each view's embedding is kept, so that the
    ``V`` similarity matrices are averaged (the authors'
    ``retrieval_views``). Each data sample gets ``pred_video_embeds``
    ``(V, D)`` and ``pred_text_embeds`` ``(K, D)``, L2-normalised.

    **Scoring** is the model's (capabilities ``'embed'``, ``'match'``,
    ``'rerank'``): :meth:`retrieval_similarity` (two-stream),
    :meth:`rerank_candidates`, :meth:`rerank_pair_scores` (joint VTM match
    logits of the candidates, called by :class:`RetrievalTestLoop` batch by
    batch) and :meth:`rerank_matrices`.

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
    CAPABILITIES = frozenset({'views', 'embed', 'match', 'rerank'})
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
    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> list:
        """Encode each video view and each text exactly once.

        Args:
            inputs (dict): ``imgs`` ``(B, V, S, 3, H, W)`` (or ``(B, S, 3,
                H, W)``: one view) and the texts: ``caption_ids`` /
                ``caption_mask`` ``(B, K, L)`` with ``num_captions`` ``(B,)``
                (every caption of a test video), or else ``input_ids`` /
                ``attention_mask`` ``(B, L)``, or no text (videos only).
            data_samples (list, optional): One per video.

        Returns:
            list: data samples with ``pred_video_embeds`` ``(V, D)`` and,
            given texts, ``pred_text_embeds`` ``(K, D)`` (L2-normalised).
        """
        imgs = inputs['imgs']
        if imgs.dim() == 5:
            imgs = imgs[:, None]
        b, v = imgs.shape[:2]
        video = self.encode_video(imgs.flatten(0, 1))
        video = F.normalize(video.float(), dim=-1).view(b, v, -1)
        if data_samples is None:
            from mmaction.structures import ActionDataSample
            data_samples = [ActionDataSample() for _ in range(b)]
        for ds, vid in zip(data_samples, video):
            ds.set_field(vid.detach(), 'pred_video_embeds')
        if 'caption_ids' in inputs:
            ids, mask = inputs['caption_ids'], inputs['caption_mask']
            counts = inputs['num_captions'].tolist()
        elif 'input_ids' in inputs:
            ids, mask = inputs['input_ids'][:, None], \
                inputs['attention_mask'][:, None]
            counts = [1] * b
        else:  # videos only
            return data_samples
        real = torch.cat([
            torch.arange(k, device=ids.device) + i * ids.shape[1]
            for i, k in enumerate(counts)
        ])
        flat_ids, flat_mask = ids.flatten(0, 1)[real], mask.flatten(0, 1)[real]
        text = F.normalize(
            self.encode_text(flat_ids, flat_mask).float(), dim=-1)
        for ds, txt in zip(data_samples, text.split(counts)):
            ds.set_field(txt.detach(), 'pred_text_embeds')
        return data_samples

    # ------------------------------------------------------ retrieval scoring
    @staticmethod
    def retrieval_similarity(text_embeds: np.ndarray,
                             video_embeds: np.ndarray) -> np.ndarray:
        """Two-stream scores ``(Nt, Nv)`` of ``(Nt, D)`` texts and ``(Nv,
        V, D)`` videos (cosine, averaged over views)."""
        return similarity_matrix(text_embeds, video_embeds)

    @staticmethod
    def rerank_candidates(sim: np.ndarray, k: int) -> Dict[int, list]:
        """``{video j: text indices}`` of the pairs re-ranking scores."""
        return rerank_candidates(sim, k)

    @staticmethod
    def rerank_matrices(sim: np.ndarray, k: int,
                        scores: Dict[tuple, float]) -> tuple:
        """Re-ranked ``(t2v, v2t)`` score matrices ``(Nt, Nv)``."""
        return rerank_matrices(sim, k, scores)

    @torch.no_grad()
    def rerank_pair_scores(self, data_batch: dict,
                           wanted: Dict[int, List[int]],
                           texts: Sequence[Tensor],
                           batch_size: int = 32) -> Dict[tuple, float]:
        """Joint match scores of the wanted pairs of a batch's videos.

        Args:
            data_batch (dict): A batch of the test dataloader (collated,
                not preprocessed).
            wanted (dict): ``{sample_idx: [text index, ...]}``; videos of the
                batch that are not keys are skipped.
            texts (Sequence[Tensor]): Token ids ``(L_i,)`` of every text.
            batch_size (int): Pairs per joint forward.

        Returns:
            dict: ``{(sample_idx, text index): match logit}``; each video is
            represented by its middle test view.
        """
        idxs = [int(ds.metainfo['sample_idx'])
                for ds in data_batch['data_samples']]
        if not any(idx in wanted for idx in idxs):
            return {}
        imgs = middle_view(
            self.data_preprocessor(data_batch, False)['inputs']['imgs'])
        pad_id = self.data_preprocessor.pad_token_id
        out: Dict[tuple, float] = {}
        for row, idx in enumerate(idxs):
            cand = wanted.get(idx, [])
            for s in range(0, len(cand), batch_size):
                chunk = cand[s:s + batch_size]
                ids, mask = pad_token_ids([texts[i] for i in chunk], pad_id)
                scores = self.match_scores(imgs[row:row + 1],
                                           ids.to(imgs.device),
                                           mask.to(imgs.device))
                for i, sc in zip(chunk, scores.float().cpu().tolist()):
                    out[(idx, i)] = sc
        return out
