"""All-in-One pre-training: video-text matching + masked language modelling."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['AllInOnePretrainer']

ForwardResults = Union[Dict[str, Tensor], List, Dict[str, Tensor]]


@MODELS.register_module()
class AllInOnePretrainer(BaseModel):
    """VTM + MLM (+ optional word-patch alignment) pre-training model.

    One training step runs two joint forwards, as the authors do:

    1. **MLM**: masked text with its true video; cross-entropy over masked
       tokens (masking is done in the data pipeline, ``MaskTokensForMLM``).
    2. **VTM**: ``floor(B/2)`` randomly chosen samples keep their video
       (label 1); the others get a random *other* video of the dataset
       (``inputs['false_imgs']``, drawn by the dataset; without it, the video
       of another sample of the batch via a random derangement). The pooled
       text-CLS feature is classified match / no match. The WPA term is
       computed on this forward.

    Every loss has an explicit weight in ``loss_weights``; a weight of 0
    skips that computation entirely.

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        pooler (dict): Pooler config. ``in_channels`` defaults to the
            backbone's width (same for the heads).
        vtm_head (dict, optional): VTM head config.
        mlm_head (dict, optional): MLM head config.
        wpa_loss (dict, optional): Word-patch alignment loss config.
        loss_weights (dict): Weights of ``vtm``, ``mlm`` and ``wpa``.
            Defaults to ``dict(vtm=1.0, mlm=1.0, wpa=0.1)`` (the authors'
            recipe).
        tie_mlm_decoder (bool): Tie the MLM decoder to the word embeddings.
            Defaults to False, as in the released checkpoints.
        data_preprocessor (dict, optional): Defaults to
            ``VideoTextDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    LOSSES = ('vtm', 'mlm', 'wpa')

    def __init__(self,
                 backbone: dict,
                 pooler: dict = dict(type='AllInOnePooler'),
                 vtm_head: Optional[dict] = dict(type='VTMHead'),
                 mlm_head: Optional[dict] = dict(type='MLMHead'),
                 wpa_loss: Optional[dict] = dict(
                     type='WordPatchAlignmentLoss'),
                 loss_weights: Optional[dict] = None,
                 tie_mlm_decoder: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoTextDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            # build from our registry: MMEngine's BaseModel would look it up
            # in the root registry unless a default scope is set
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        weights = dict(vtm=1.0, mlm=1.0, wpa=0.1)
        if loss_weights is not None:
            unknown = set(loss_weights) - set(self.LOSSES)
            if unknown:
                raise KeyError(f'Unknown loss weights {sorted(unknown)}; '
                               f'valid: {self.LOSSES}')
            weights.update(loss_weights)
        self.loss_weights = weights
        self.backbone = MODELS.build(backbone)
        dims = self.backbone.embed_dims
        self.pooler = self._build_head(pooler, dims)
        self.vtm_head = self._build_head(vtm_head, dims)
        self.mlm_head = self._build_head(mlm_head, dims)
        self.wpa_loss = MODELS.build(wpa_loss) if wpa_loss else None
        for name, head in (('vtm', self.vtm_head), ('mlm', self.mlm_head),
                           ('wpa', self.wpa_loss)):
            if weights[name] > 0 and head is None:
                raise ValueError(f'loss_weights[{name!r}] > 0 but no module '
                                 'is configured for it')
        if weights['wpa'] > 0 and weights['vtm'] <= 0:
            raise ValueError('The WPA loss runs on the VTM forward; give '
                             'vtm a positive weight.')
        self.tie_mlm_decoder = tie_mlm_decoder
        if tie_mlm_decoder and self.mlm_head is not None:
            self.mlm_head.decoder.weight = \
                self.backbone.text_embeddings.word_embeddings.weight

    def init_weights(self) -> None:
        """Backbone init, then N(0, 0.02) heads as the authors (spec §3.11)."""
        super().init_weights()
        if (isinstance(self.init_cfg, dict)
                and self.init_cfg.get('type') == 'Pretrained'):
            return
        for head in (self.pooler, self.vtm_head, self.mlm_head):
            if head is None:
                continue
            for m in head.modules():
                if isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, std=0.02)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, nn.LayerNorm):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
        if self.tie_mlm_decoder and self.mlm_head is not None:
            # re-tie: the loop above re-initialised the shared tensor
            self.mlm_head.decoder.weight = \
                self.backbone.text_embeddings.word_embeddings.weight

    @staticmethod
    def _build_head(cfg: Optional[dict], dims: int):
        if not cfg:
            return None
        cfg = dict(cfg)
        cfg.setdefault('in_channels', dims)
        return MODELS.build(cfg)

    # ------------------------------------------------------------- utilities
    def extract_feat(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Backbone features of whatever ``inputs`` holds.

        Joint when both ``imgs`` and ``input_ids`` are given, else unimodal;
        adds ``pooled`` ``(B, C)``.
        """
        feats = self.backbone(
            imgs=inputs.get('imgs'),
            input_ids=inputs.get('input_ids'),
            attention_mask=inputs.get('attention_mask'))
        feats['pooled'] = self.pooler(feats['cls_token'])
        return feats

    @staticmethod
    def sample_vtm_labels(batch_size: int, device: torch.device) -> Tensor:
        """``floor(B/2)`` ones and the rest zeros, randomly permuted."""
        labels = torch.zeros(batch_size, dtype=torch.long)
        labels[:batch_size // 2] = 1
        return labels[torch.randperm(batch_size)].to(device)

    @staticmethod
    def negative_videos(imgs: Tensor,
                        false_imgs: Optional[Tensor]) -> Tensor:
        """Videos for the negative pairs, ``(B, S, 3, H, W)``.

        The dataset-drawn ``false_imgs`` when present, else a random
        derangement of the batch (no sample gets its own video).
        """
        if false_imgs is not None:
            return false_imgs
        b = imgs.shape[0]
        if b < 2:
            raise ValueError(
                'VTM needs negatives: use batch size >= 2 or a dataset with '
                'num_false_videos=1.')
        shift = int(torch.randint(1, b, (1, )))
        perm = torch.randperm(b, device=imgs.device)
        derange = torch.empty_like(perm)
        derange[perm] = perm.roll(shift)
        return imgs[derange]

    # --------------------------------------------------------------- forward
    def forward(self,
                inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> ForwardResults:
        """MMEngine entry point: ``'loss'``, ``'predict'`` or ``'tensor'``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        raise RuntimeError(f'Invalid mode {mode!r}; valid: loss, predict, '
                           'tensor')

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        """Weighted VTM, MLM and WPA losses plus VTM / MLM accuracy."""
        losses: Dict[str, Tensor] = {}
        imgs, mask = inputs['imgs'], inputs['attention_mask']
        w = self.loss_weights
        if w['mlm'] > 0:
            if 'mlm_input_ids' not in inputs:
                raise KeyError('MLM needs mlm_input_ids/mlm_labels: add '
                               'MaskTokensForMLM to the train pipeline.')
            text_feats, _ = self.backbone.forward_joint(
                imgs, inputs['mlm_input_ids'], mask)
            out = self.mlm_head.loss(text_feats, inputs['mlm_labels'])
            losses['loss_mlm'] = out['loss_mlm'] * w['mlm']
            losses['acc_mlm'] = out['acc_mlm']
        if w['vtm'] > 0:
            labels = self.sample_vtm_labels(imgs.shape[0], imgs.device)
            negatives = self.negative_videos(imgs, inputs.get('false_imgs'))
            keep = labels.bool().view(-1, 1, 1, 1, 1)
            vtm_imgs = torch.where(keep, imgs, negatives)
            text_feats, video_feats = self.backbone.forward_joint(
                vtm_imgs, inputs['input_ids'], mask)
            logits = self.vtm_head(self.pooler(text_feats[:, 0]))
            out = self.vtm_head.loss(logits, labels)
            losses['loss_vtm'] = out['loss_vtm'] * w['vtm']
            losses['acc_vtm'] = out['acc_vtm']
            if w['wpa'] > 0:
                losses['loss_wpa'] = w['wpa'] * self.wpa_loss(
                    text_feats, video_feats, mask, labels.bool())
        return losses

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> list:
        """Score matched and mismatched pairs; predict masked words.

        Sets on every data sample ``pred_vtm_pos`` (match probability of the
        sample's own video-text pair) and, when a negative video exists
        (``false_imgs`` or batch size >= 2), ``pred_vtm_neg`` (match
        probability of its text with another video); when the batch carries
        masked text, ``pred_mlm_ids`` and ``gt_mlm_ids`` of the masked
        positions.
        """
        imgs, ids = inputs['imgs'], inputs['input_ids']
        mask = inputs.get('attention_mask')

        def match_prob(videos: Tensor) -> Tensor:
            text_feats, _ = self.backbone.forward_joint(videos, ids, mask)
            logits = self.vtm_head(self.pooler(text_feats[:, 0]))
            return logits.softmax(-1)[:, 1]

        pos = match_prob(imgs)
        neg = None
        if inputs.get('false_imgs') is not None or imgs.shape[0] > 1:
            neg = match_prob(
                self.negative_videos(imgs, inputs.get('false_imgs')))
        mlm_pred = None
        if 'mlm_input_ids' in inputs and self.mlm_head is not None:
            text_feats, _ = self.backbone.forward_joint(
                imgs, inputs['mlm_input_ids'], mask)
            labels = inputs['mlm_labels']
            mlm_pred = torch.full_like(labels, -100)
            selected = labels != -100
            if selected.any():
                mlm_pred[selected] = self.mlm_head(
                    text_feats[selected]).argmax(-1)
        for i, ds in enumerate(data_samples):
            ds.set_field(pos[i].detach(), 'pred_vtm_pos')
            if neg is not None:
                ds.set_field(neg[i].detach(), 'pred_vtm_neg')
            if mlm_pred is not None:
                sel = inputs['mlm_labels'][i] != -100
                ds.set_field(mlm_pred[i][sel].detach(), 'pred_mlm_ids')
                ds.set_field(inputs['mlm_labels'][i][sel], 'gt_mlm_ids')
        return data_samples
