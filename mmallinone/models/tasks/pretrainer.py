"""All-in-One pre-training: video-text matching + masked language modelling."""
from typing import Dict, Optional

import torch
from torch import Tensor

from mmallinone.registry import MODELS
from .base import AllInOneBaseModel

__all__ = ['AllInOnePretrainer']


@MODELS.register_module()
class AllInOnePretrainer(AllInOneBaseModel):
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
        super().__init__(
            backbone=backbone,
            pooler=pooler,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        weights = dict(vtm=1.0, mlm=1.0, wpa=0.1)
        if loss_weights is not None:
            unknown = set(loss_weights) - set(self.LOSSES)
            if unknown:
                raise KeyError(f'Unknown loss weights {sorted(unknown)}; '
                               f'valid: {self.LOSSES}')
            weights.update(loss_weights)
        self.loss_weights = weights
        self.vtm_head = self.build_head(vtm_head)
        self.mlm_head = self.build_head(mlm_head)
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
        if self._is_pretrained_init():
            return
        self.init_head_weights(self.vtm_head, self.mlm_head)
        if self.tie_mlm_decoder and self.mlm_head is not None:
            # re-tie: the re-initialisation above replaced nothing, but keep
            # the invariant explicit for subclasses that rebuild the head
            self.mlm_head.decoder.weight = \
                self.backbone.text_embeddings.word_embeddings.weight

    # ------------------------------------------------------------- utilities
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
