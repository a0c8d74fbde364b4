"""Common base of All-in-One task models (pre-training and downstream)."""
from typing import Dict, FrozenSet, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from torch import Tensor

from mmallinone.registry import MODELS
from .hub_mixin import AllInOneHubMixin

__all__ = ['AllInOneBaseModel']


@MODELS.register_module()
class AllInOneBaseModel(BaseModel, AllInOneHubMixin):
    """Backbone + pooler + data preprocessor shared by every task model.

    Attribute names (``backbone``, ``pooler``, ``vtm_head``, ``mlm_head``)
    are the same in every task model, so a pre-training checkpoint loads into
    a downstream model with ``load_from`` / ``init_cfg`` and no key mapping;
    task-specific heads are simply reported as missing.

    ``save_pretrained`` / ``from_pretrained`` / ``push_to_hub`` come from
    :class:`AllInOneHubMixin` (Hugging Face Hub folders, safetensors).

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        pooler (dict): Pooler config; ``in_channels`` defaults to the
            backbone's width (as for every head built with
            :meth:`build_head`).
        data_preprocessor (dict | nn.Module, optional): Defaults to
            ``VideoTextDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    #: Attributes (heads) N(0, 0.02)-initialised after the pooler, in order.
    INIT_HEADS: Tuple[str, ...] = ()

    #: What the model can do; the inference API and the loops dispatch on
    #: these names, never on ``hasattr``:
    #:
    #: - ``'views'``: ``predict`` takes ``imgs`` with a test-view axis
    #:   ``(B, V, S, 3, H, W)`` (other modes and models get single-view
    #:   ``(B, S, 3, H, W)``: :meth:`forward` drops a view axis of size 1);
    #: - ``'embed'``: ``predict`` writes L2-normalised ``pred_video_embeds``
    #:   ``(V, D)`` / ``pred_text_embeds`` ``(K, D)`` of the two-stream
    #:   encoders;
    #: - ``'match'``: :meth:`match_scores` scores (video, text) pairs with the
    #:   joint path;
    #: - ``'rerank'``: the retrieval loop's joint re-ranking
    #:   (:meth:`retrieval_similarity`, :meth:`rerank_pair_scores`);
    #: - ``'choose'``: ``predict`` writes ``pred_score`` ``(K,)`` over the
    #:   sample's ``candidate_ids``;
    #: - ``'answer'``: ``predict`` writes ``pred_score`` over a fixed answer
    #:   vocabulary (``answer_list``);
    #: - ``'classify'``: ``predict`` writes ``pred_score`` over classes;
    #: - ``'fill_mask'``: ``predict`` writes ``pred_mlm_ids`` for
    #:   ``[MASK]`` tokens of ``mlm_input_ids``;
    #: - ``'caption'``: ``predict`` writes ``pred_caption``.
    CAPABILITIES: FrozenSet[str] = frozenset()

    def __init__(self,
                 backbone: dict,
                 pooler: Optional[dict] = dict(type='AllInOnePooler'),
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoTextDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            # build from our registry: MMEngine's BaseModel would look it up
            # in the root registry unless a default scope is set
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.pooler = self.build_head(pooler)

    @property
    def embed_dims(self) -> int:
        """Width ``C`` of the backbone."""
        return self.backbone.embed_dims

    def build_head(self, cfg: Optional[dict]) -> Optional[nn.Module]:
        """Build a head, defaulting ``in_channels`` to the backbone width."""
        if not cfg:
            return None
        cfg = dict(cfg)
        cfg.setdefault('in_channels', self.embed_dims)
        return MODELS.build(cfg)

    def _is_pretrained_init(self) -> bool:
        return (isinstance(self.init_cfg, dict)
                and self.init_cfg.get('type') == 'Pretrained')

    def init_head_weights(self, *heads: Optional[nn.Module]) -> None:
        """N(0, 0.02) Linear / Embedding, LayerNorm 1/0."""
        for head in heads:
            if head is None:
                continue
            for m in head.modules():
                if isinstance(m, (nn.Linear, nn.Embedding)):
                    nn.init.normal_(m.weight, std=0.02)
                    if getattr(m, 'bias', None) is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, nn.LayerNorm):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)

    def init_weights(self) -> None:
        """Backbone init, then N(0, 0.02) for the pooler and
        :attr:`INIT_HEADS` (skipped under a ``Pretrained`` init_cfg; with
        ``load_from`` MMEngine loads the weights after this)."""
        super().init_weights()
        if not self._is_pretrained_init():
            self.init_head_weights(
                self.pooler,
                *(getattr(self, name, None) for name in self.INIT_HEADS))

    @staticmethod
    def merge_loss_weights(defaults: Dict[str, float],
                           loss_weights: Optional[Dict[str, float]]
                           ) -> Dict[str, float]:
        """``defaults`` updated with ``loss_weights``.

        Raises:
            ValueError: ``loss_weights`` names a loss not in ``defaults``.
        """
        unknown = set(loss_weights or {}) - set(defaults)
        if unknown:
            raise ValueError(f'Unknown loss_weights keys {sorted(unknown)}; '
                             f'valid: {sorted(defaults)}')
        return {**defaults, **(loss_weights or {})}

    def match_logit(self, pooled: Tensor) -> Tensor:
        """VTM *match* logit ``vtm_head(pooled)[..., 1]``: ``(..., C)`` ->
        ``(...)``."""
        return self.vtm_head(pooled)[..., 1]

    def match_scores(self, imgs: Tensor, input_ids: Tensor,
                     attention_mask: Optional[Tensor] = None,
                     probs: bool = False) -> Tensor:
        """Joint-path VTM match logits of row-wise (video, text) pairs.

        Args:
            imgs (Tensor): ``(N, S, 3, H, W)`` (or ``(1, ...)``, broadcast to
                the ``N`` texts).
            input_ids (Tensor): ``(N, L)``.
            attention_mask (Tensor, optional): ``(N, L)``.
            probs (bool): Return the match probability (softmax over the
                head's two classes) instead of the logit. Defaults to False.

        Returns:
            Tensor: ``(N,)`` match logits (class 1 of the VTM head).
        """
        n = input_ids.shape[0]
        if imgs.shape[0] == 1 and n > 1:
            imgs = imgs.expand(n, *imgs.shape[1:])
        pooled = self.joint_pooled(imgs, input_ids, attention_mask)
        if probs:
            return self.vtm_head(pooled).float().softmax(-1)[..., 1]
        return self.match_logit(pooled)

    # ------------------------------------------------------------- encoders
    def extract_feat(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Backbone features of whatever ``inputs`` holds.

        Joint when both ``imgs`` and ``input_ids`` are given, else unimodal;
        adds ``pooled`` ``(B, C)`` (the pooler on ``cls_token``).
        """
        feats = self.backbone(
            imgs=inputs.get('imgs'),
            input_ids=inputs.get('input_ids'),
            attention_mask=inputs.get('attention_mask'))
        feats['pooled'] = self.pooler(feats['cls_token'])
        return feats

    def joint_pooled(self, imgs: Tensor, input_ids: Tensor,
                     attention_mask: Optional[Tensor]) -> Tensor:
        """Pooled joint feature ``(B, C)`` of ``(B, S, 3, H, W)`` + ``(B, L)``."""
        text_feats, _ = self.backbone.forward_joint(imgs, input_ids,
                                                    attention_mask)
        return self.pooler(text_feats[:, 0])

    def candidates_pooled(self, imgs: Tensor, candidate_ids: Tensor,
                          candidate_mask: Tensor) -> Tensor:
        """Pooled joint features of every (video, candidate text) pair.

        Args:
            imgs (Tensor): ``(B, S, 3, H, W)``.
            candidate_ids (Tensor): ``(B, K, L)``.
            candidate_mask (Tensor): ``(B, K, L)``.

        Returns:
            Tensor: ``(B, K, C)``.
        """
        b, k, length = candidate_ids.shape
        videos = imgs.repeat_interleave(k, dim=0)  # (B*K, S, 3, H, W)
        pooled = self.joint_pooled(videos, candidate_ids.reshape(b * k, -1),
                                   candidate_mask.reshape(b * k, -1))
        return pooled.view(b, k, -1)

    def can(self, capability: str) -> bool:
        """Whether the model declares ``capability`` (see
        :attr:`CAPABILITIES`); ``'match'`` also needs a built
        ``vtm_head``."""
        if capability == 'match' and getattr(self, 'vtm_head', None) is None:
            return False
        return capability in self.CAPABILITIES

    def single_view(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """``inputs`` with ``imgs`` ``(B, 1, S, 3, H, W)`` -> ``(B, S, 3, H,
        W)``; more than one view is an error for a model without
        ``'views'``."""
        imgs = inputs.get('imgs') if isinstance(inputs, dict) else None
        if imgs is None or imgs.dim() != 6:
            return inputs
        if imgs.shape[1] != 1:
            raise ValueError(
                f'{type(self).__name__} takes one view per video, got '
                f'{imgs.shape[1]} (imgs {tuple(imgs.shape)}); pack the '
                'frames without views_key or use one clip')
        return dict(inputs, imgs=imgs[:, 0])

    def forward(self,
                inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        """MMEngine entry point: ``'loss'``, ``'predict'`` or ``'tensor'``.

        ``inputs`` follows the batch contract
        (:mod:`mmallinone.structures.batch_contract`).
        """
        if 'views' not in self.CAPABILITIES or mode != 'predict':
            inputs = self.single_view(inputs)
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
        raise NotImplementedError

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> list:
        raise NotImplementedError

    @staticmethod
    def write_predictions(scores: Tensor,
                          data_samples: Optional[Sequence] = None) -> list:
        """Set ``pred_score`` ``(K,)`` and ``pred_label`` ``(1,)`` (argmax)
        of each sample from ``scores`` ``(B, K)``, on the CPU; makes
        ``ActionDataSample`` s when ``data_samples`` is None."""
        if data_samples is None:
            from mmaction.structures import ActionDataSample
            data_samples = [
                ActionDataSample() for _ in range(scores.shape[0])
            ]
        labels = scores.argmax(-1)
        for ds, score, label in zip(data_samples, scores, labels):
            ds.set_field(score.detach().cpu(), 'pred_score')
            ds.set_field(label.detach().cpu().reshape(1), 'pred_label')
        return data_samples

    @staticmethod
    def gt_labels(data_samples: list, device: torch.device) -> Tensor:
        """``(B,)`` long tensor of the samples' ``gt_label``."""
        return torch.stack([
            torch.as_tensor(ds.gt_label).reshape(-1)[0]
            for ds in data_samples
        ]).long().to(device)
