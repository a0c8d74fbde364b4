"""All-in-One pre-training: video-text matching + masked language modelling."""
from typing import Dict, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from mmallinone.registry import MODELS
from ..data_preprocessors import is_multi_source_batch
from .base import AllInOneBaseModel

__all__ = ['AllInOnePretrainer']


@MODELS.register_module()
class AllInOnePretrainer(AllInOneBaseModel):
    """VTM + MLM (+ optional word-patch alignment) pre-training model.

    One training step runs two joint forwards, as the authors do:

    1. **MLM**: masked text with its true video; cross-entropy over masked
       tokens (masking is done in the data pipeline, ``MaskTokensForMLM``).
    2. **VTM**: ``floor(B/2)`` randomly chosen samples keep their video
       (label 1); the others get another video, from the declared
       ``vtm_negative_source`` (:meth:`negative_videos`). The pooled
       text-CLS feature is classified match / no match. The WPA term is
       computed on this forward.

    Every loss has an explicit weight in ``loss_weights``; a weight of 0
    skips that computation entirely.

    **Image-video co-training** (All-in-One+). Given a
    multi-source batch (``inputs = {source: inputs}``, from
    :class:`~mmallinone.models.MultiSourceDataPreprocessor` fed by
    :class:`~mmallinone.engine.CoTrainingIterBasedTrainLoop`), the losses of
    every source are computed as above (an image is a one-frame clip: the
    backbone then applies no token rolling and no temporal embedding),
    multiplied by ``source_loss_weights[source]`` (default 1) and returned
    under ``'<source>/loss_vtm'``, ``'<source>/acc_mlm'``, ...; MMEngine sums
    every ``*loss*`` entry into the step's loss, as the authors sum the video
    and image losses. The VTM and MLM heads are shared by all sources
    (``share_heads=True``, the authors' B+ models) or, with
    ``share_heads=False``, each source in ``separate_head_sources`` gets its
    own VTM and MLM head (``source_heads[source]``, paper Table 9 "not
    shared"); the other sources and single-source batches (validation,
    downstream loading) use ``vtm_head`` / ``mlm_head``. The backbone and the
    pooler are always shared.

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
        source_loss_weights (dict, optional): ``{source: weight}``
            multiplying every loss of that source in multi-source batches
            (the image:video loss ratio). Defaults to None (all 1).
        share_heads (bool): One VTM / MLM head for every source. Defaults
            to True.
        separate_head_sources (Sequence[str]): Sources given their own
            heads when ``share_heads=False``. Defaults to ``('image', )``.
        vtm_negative_source (str): Where the training VTM negatives come
            from: ``'dataset'`` (a random other video of the dataset, drawn
            by the training datasets with ``num_false_videos=1``) or
            ``'batch'`` (another sample's video, an in-batch derangement).
            The runner refuses a config whose loaders disagree. Defaults to
            ``'dataset'``, as every shipped pre-training config.
        data_preprocessor (dict, optional): Defaults to
            ``VideoTextDataPreprocessor`` (``MultiSourceDataPreprocessor``
            for co-training).
        init_cfg (dict, optional): MMEngine init config.
    """

    INIT_HEADS = ('vtm_head', 'mlm_head', 'source_heads')
    CAPABILITIES = frozenset({'match', 'fill_mask'})

    #: Sources of the training VTM negatives (``vtm_negative_source``).
    VTM_NEGATIVE_SOURCES = ('dataset', 'batch')

    def __init__(self,
                 backbone: dict,
                 pooler: dict = dict(type='AllInOnePooler'),
                 vtm_head: Optional[dict] = dict(type='VTMHead'),
                 mlm_head: Optional[dict] = dict(type='MLMHead'),
                 wpa_loss: Optional[dict] = dict(
                     type='WordPatchAlignmentLoss'),
                 loss_weights: Optional[dict] = None,
                 tie_mlm_decoder: bool = False,
                 source_loss_weights: Optional[Dict[str, float]] = None,
                 share_heads: bool = True,
                 separate_head_sources: Sequence[str] = ('image', ),
                 vtm_negative_source: str = 'dataset',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            pooler=pooler,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        weights = self.merge_loss_weights(dict(vtm=1.0, mlm=1.0, wpa=0.1),
                                          loss_weights)
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
        self.source_loss_weights = dict(source_loss_weights or {})
        for name, value in self.source_loss_weights.items():
            if not value >= 0:
                raise ValueError(f'source_loss_weights[{name!r}] must be '
                                 f'>= 0, got {value}')
        self.share_heads = share_heads
        self.source_heads = nn.ModuleDict()
        if not share_heads:
            if isinstance(separate_head_sources, str) or \
                    not separate_head_sources:
                raise ValueError('share_heads=False needs a non-empty list '
                                 'separate_head_sources, got '
                                 f'{separate_head_sources!r}')
            for name in separate_head_sources:
                self.source_heads[name] = nn.ModuleDict()
                for key, cfg in (('vtm', vtm_head), ('mlm', mlm_head)):
                    head = self.build_head(cfg)
                    if head is not None:
                        self.source_heads[name][key] = head
        self.tie_mlm_decoder = tie_mlm_decoder
        self._tie_decoders()
        if vtm_negative_source not in self.VTM_NEGATIVE_SOURCES:
            raise ValueError('vtm_negative_source must be one of '
                             f'{self.VTM_NEGATIVE_SOURCES}, got '
                             f'{vtm_negative_source!r}')
        self.vtm_negative_source = vtm_negative_source

    def _tie_decoders(self) -> None:
        """Tie every MLM decoder to the word embeddings (if asked)."""
        if not self.tie_mlm_decoder:
            return
        words = self.backbone.text_embeddings.word_embeddings.weight
        for _, mlm in self.heads_of_all_sources('mlm'):
            mlm.decoder.weight = words

    def heads_of_all_sources(self, kind: str) -> list:
        """``[(source or None, head)]`` of the ``'vtm'`` / ``'mlm'`` heads.

        Args:
            kind (str): ``'vtm'`` or ``'mlm'``.

        Returns:
            list[tuple]: The shared head (source None) first, then the
            per-source ones; absent heads are left out.
        """
        heads = [(None, getattr(self, f'{kind}_head'))]
        heads += [(name, mods[kind]) for name, mods in
                  self.source_heads.items() if kind in mods]
        return [(name, head) for name, head in heads if head is not None]

    def heads_for(self, source: Optional[str]) -> Tuple[Optional[nn.Module],
                                                        Optional[nn.Module]]:
        """The (VTM, MLM) heads used for ``source`` (None: single batch)."""
        mods = self.source_heads[source] if source in self.source_heads \
            else {}
        return (mods['vtm'] if 'vtm' in mods else self.vtm_head,
                mods['mlm'] if 'mlm' in mods else self.mlm_head)

    def init_weights(self) -> None:
        """Backbone init, then N(0, 0.02) heads as the authors."""
        super().init_weights()
        if self._is_pretrained_init():
            return
        # re-tie: the re-initialisation above replaced nothing, but keep
        # the invariant explicit for subclasses that rebuild the head
        self._tie_decoders()

    # ------------------------------------------------------------- utilities
    @staticmethod
    def sample_vtm_labels(batch_size: int, device: torch.device) -> Tensor:
        """``floor(B/2)`` ones and the rest zeros, randomly permuted."""
        labels = torch.zeros(batch_size, dtype=torch.long)
        labels[:batch_size // 2] = 1
        return labels[torch.randperm(batch_size)].to(device)

    def negative_videos(self, imgs: Tensor,
                        false_imgs: Optional[Tensor]) -> Tensor:
        """Videos for the negative pairs, ``(B, S, 3, H, W)``.

        In training, from ``vtm_negative_source``: ``'dataset'`` returns the
        datasets' ``false_imgs``, ``'batch'`` an in-batch :meth:`derange`.
        Evaluation always scores in-batch negatives (validation loaders
        draw no false videos).

        Raises:
            ValueError: The batch does not match the declared source (no
                ``false_imgs`` for ``'dataset'``; ``false_imgs`` that would
                be ignored otherwise).
        """
        if self.training:
            wanted = self.vtm_negative_source
            why = f'vtm_negative_source={wanted!r}'
        else:
            wanted, why = 'batch', 'evaluation scores in-batch negatives'
        if wanted == 'dataset' and false_imgs is None:
            raise ValueError(
                f'VTM negatives come from the dataset ({why}) but the batch '
                'has no false_imgs: set num_false_videos=1 on the training '
                "datasets, or vtm_negative_source='batch'.")
        if wanted == 'batch' and false_imgs is not None:
            raise ValueError(
                f'VTM negatives come from the batch ({why}) but the batch '
                'carries false_imgs it would ignore: set num_false_videos=0 '
                'on its datasets.')
        return false_imgs if wanted == 'dataset' else self.derange(imgs)

    @staticmethod
    def derange(imgs: Tensor) -> Tensor:
        """Another sample's video for every sample, ``(B, S, 3, H, W)``: a
        random derangement of the batch (no sample gets its own video)."""
        b = imgs.shape[0]
        if b < 2:
            raise ValueError(
                'VTM needs negatives: use batch size >= 2 or '
                "vtm_negative_source='dataset' with num_false_videos=1.")
        shift = int(torch.randint(1, b, (1, )))
        perm = torch.randperm(b, device=imgs.device)
        derange = torch.empty_like(perm)
        derange[perm] = perm.roll(shift)
        return imgs[derange]

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        """Weighted VTM, MLM and WPA losses plus VTM / MLM accuracy.

        Args:
            inputs (dict): A batch (``imgs`` ``(B, S, 3, H, W)``,
                ``input_ids`` ``(B, L)``, ...) or a multi-source batch
                ``{source: batch}``.
            data_samples (list | dict, optional): Unused.

        Returns:
            dict[str, Tensor]: ``loss_vtm``, ``acc_vtm``, ...; for a
            multi-source batch ``'<source>/loss_vtm'``, ... per source.
        """
        if not is_multi_source_batch(inputs):
            return self.source_loss(inputs)
        losses: Dict[str, Tensor] = {}
        for name, source_inputs in inputs.items():
            weight = float(self.source_loss_weights.get(name, 1.0))
            if weight == 0:
                continue
            for key, value in self.source_loss(source_inputs, name).items():
                if key.startswith('loss'):
                    value = value * weight
                losses[f'{name}/{key}'] = value
        return losses

    def source_loss(self, inputs: Dict[str, Tensor],
                    source: Optional[str] = None) -> Dict[str, Tensor]:
        """Losses of one batch, with the heads of ``source``.

        Args:
            inputs (dict): ``imgs`` ``(B, S, 3, H, W)`` (S = 1 for images),
                ``input_ids`` / ``attention_mask`` ``(B, L)``,
                ``mlm_input_ids`` / ``mlm_labels`` ``(B, L)``, optional
                ``false_imgs`` ``(B, S, 3, H, W)``.
            source (str, optional): Source name (selects separate heads).

        Returns:
            dict[str, Tensor]: Weighted losses and accuracies.
        """
        vtm_head, mlm_head = self.heads_for(source)
        losses: Dict[str, Tensor] = {}
        imgs, mask = inputs['imgs'], inputs['attention_mask']
        w = self.loss_weights
        if w['mlm'] > 0:
            if 'mlm_input_ids' not in inputs:
                raise KeyError('MLM needs mlm_input_ids/mlm_labels: add '
                               'MaskTokensForMLM to the train pipeline.')
            text_feats, _ = self.backbone.forward_joint(
                imgs, inputs['mlm_input_ids'], mask)
            out = mlm_head.loss(text_feats, inputs['mlm_labels'])
            losses['loss_mlm'] = out['loss_mlm'] * w['mlm']
            losses['acc_mlm'] = out['acc_mlm']
        if w['vtm'] > 0:
            labels = self.sample_vtm_labels(imgs.shape[0], imgs.device)
            negatives = self.negative_videos(imgs, inputs.get('false_imgs'))
            keep = labels.bool().view(-1, 1, 1, 1, 1)
            vtm_imgs = torch.where(keep, imgs, negatives)
            text_feats, video_feats = self.backbone.forward_joint(
                vtm_imgs, inputs['input_ids'], mask)
            logits = vtm_head(self.pooler(text_feats[:, 0]))
            out = vtm_head.loss(logits, labels)
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
        if is_multi_source_batch(inputs):
            raise ValueError(
                'AllInOnePretrainer.predict takes one source per batch: '
                'validate / test with single-source dataloaders.')
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
