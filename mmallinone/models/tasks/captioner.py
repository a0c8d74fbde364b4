"""Video captioning with the one unified Transformer (no decoder tower)."""
import time
from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from mmallinone.registry import MODELS
from ..layers.incremental_joint import IncrementalJointDecoder
from ..utils.caption_search import CaptionSearchConfig, caption_search
from .base import AllInOneBaseModel

__all__ = ['AllInOneCaptioner']


@MODELS.register_module()
class AllInOneCaptioner(AllInOneBaseModel):
    """Caption generation on the joint path with a seq2seq attention mask.

    The caption ``[CLS] w1 .. wn [SEP]`` is the text of the joint sequence
    (per frame ``[text ; visual]``, as in pre-training). Under UniLM's
    sequence-to-sequence mask (``text_attn_mask`` of
    :meth:`AllInOneTransformer.forward_joint`) visual tokens attend to visual
    tokens only, and caption token ``i`` attends to every visual token and
    to caption tokens ``<= i``. The per-frame text outputs are averaged over
    frames, as the MLM path does, and the pre-trained MLM head
    (``mlm_head``, loaded from the pre-training checkpoint without key
    mapping) predicts from the output at position ``i`` the **next** token
    ``w_{i+1}`` (``[SEP]`` ends the caption).

    Training: teacher forcing, cross-entropy (optional label smoothing) on
    every caption token and the end token, padding ignored.

    Prediction: greedy or beam search (:mod:`..utils.caption_search`). With
    ``use_cache=True`` the clip is encoded once and every block's visual
    keys/values are cached together with those of the generated tokens
    (:class:`IncrementalJointDecoder`); ``use_cache=False`` re-runs the
    joint path on the whole prefix for every token (the reference; same
    tokens). ``predict`` writes ``pred_caption`` (str), ``pred_tokens``
    (ids) and ``pred_score`` into every data sample.

    Args:
        backbone (dict): :class:`AllInOneTransformer` config.
        mlm_head (dict): Vocabulary head. Defaults to ``MLMHead``.
        decode_cfg (dict, optional): :class:`CaptionSearchConfig` fields and
            ``use_cache`` (default True).
        label_smoothing (float): Of the cross-entropy. Defaults to 0.
        tokenizer (dict): Detokenises predictions. Defaults to the shipped
            ``bert-base-uncased`` WordPiece tokenizer.
        pooler (dict, optional): Unused by captioning; None by default (the
            pre-training pooler is then an unexpected key when loading).
        data_preprocessor (dict, optional): Defaults to
            ``VideoTextDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    CAPABILITIES = frozenset({'caption', 'fill_mask'})  # it has an mlm_head

    def __init__(self,
                 backbone: dict,
                 mlm_head: dict = dict(type='MLMHead'),
                 decode_cfg: Optional[dict] = None,
                 label_smoothing: float = 0.0,
                 tokenizer: Optional[dict] = None,
                 pooler: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            pooler=pooler,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.mlm_head = self.build_head(mlm_head)
        decode_cfg = dict(decode_cfg or {})
        self.use_cache = bool(decode_cfg.pop('use_cache', True))
        self.decode_cfg = CaptionSearchConfig(**decode_cfg)
        if self.decode_cfg.max_len + 1 > self.backbone.max_text_len:
            raise ValueError(
                f'decode_cfg.max_len={self.decode_cfg.max_len} needs '
                f'{self.decode_cfg.max_len + 1} text positions ([CLS] + '
                f'tokens); the backbone has max_text_len='
                f'{self.backbone.max_text_len}.')
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError('label_smoothing must be in [0, 1), got '
                             f'{label_smoothing}')
        self.label_smoothing = label_smoothing
        self.tokenizer_cfg = tokenizer or dict(type='BertWordPieceTokenizer')
        self._tokenizer = None
        self.last_decode_stats: Dict[str, float] = {}

    @property
    def decoder(self) -> IncrementalJointDecoder:
        """Key/value-cached joint forward of :attr:`backbone`."""
        return IncrementalJointDecoder(self.backbone)

    @property
    def tokenizer(self):
        """The detokenising tokenizer (built on first use)."""
        if self._tokenizer is None:
            from mmallinone.tokenizers import build_tokenizer
            self._tokenizer = build_tokenizer(self.tokenizer_cfg)
        return self._tokenizer

    def init_weights(self) -> None:
        """Backbone init, then N(0, 0.02) for the vocabulary head."""
        super().init_weights()
        if not self._is_pretrained_init():
            self.init_head_weights(self.mlm_head)

    # --------------------------------------------------------------- training
    @staticmethod
    def causal_mask(length: int, device: torch.device) -> Tensor:
        """``(L, L)`` bool, True on and below the diagonal."""
        return torch.ones(length, length, dtype=torch.bool,
                          device=device).tril()

    def caption_feats(self, imgs: Tensor, input_ids: Tensor,
                      attention_mask: Optional[Tensor] = None) -> Tensor:
        """Text features ``(B, Lt, C)`` under the seq2seq mask."""
        text, _ = self.backbone.forward_joint(
            imgs, input_ids, attention_mask,
            text_attn_mask=self.causal_mask(input_ids.shape[1],
                                            input_ids.device))
        return text

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        """Teacher-forced next-token cross-entropy.

        Args:
            inputs (dict): ``imgs`` ``(B, S, 3, H, W)``, ``input_ids`` and
                ``attention_mask`` ``(B, Lt)`` (``[CLS] caption [SEP]``).

        Returns:
            dict: ``loss_caption`` and ``acc_caption`` (next-token accuracy).
        """
        ids = inputs['input_ids']
        mask = inputs.get('attention_mask')
        if mask is None:
            mask = torch.ones_like(ids)
        feats = self.caption_feats(inputs['imgs'], ids, mask)
        target = ids[:, 1:]
        valid = mask[:, 1:].bool()
        logits = self.mlm_head(feats[:, :-1][valid]).float()  # (N, V)
        labels = target[valid]
        loss = F.cross_entropy(
            logits, labels, label_smoothing=self.label_smoothing)
        acc = (logits.argmax(-1) == labels).float().mean()
        return dict(loss_caption=loss, acc_caption=acc.detach())

    # ------------------------------------------------------------- decoding
    def decode_config(self, **overrides) -> CaptionSearchConfig:
        """The model's decoding settings with ``overrides`` applied."""
        fields = dict(self.decode_cfg.__dict__)
        fields.update(overrides)
        return CaptionSearchConfig(**fields)

    @torch.no_grad()
    def generate(self, imgs: Tensor, use_cache: Optional[bool] = None,
                 **overrides) -> Dict[str, list]:
        """Caption clips ``(B, S, 3, H, W)``.

        Args:
            imgs (Tensor): Normalised frames.
            use_cache (bool, optional): Key/value cache; defaults to the
                model's ``decode_cfg.use_cache``.
            **overrides: :class:`CaptionSearchConfig` fields.

        Returns:
            dict: ``tokens`` (``B`` id lists), ``scores`` (``B`` floats),
            ``captions`` (``B`` strings).
        """
        cfg = self.decode_config(**overrides)
        use_cache = self.use_cache if use_cache is None else use_cache
        b = imgs.shape[0]
        k = cfg.num_beams
        clips = imgs.repeat_interleave(k, dim=0) if k > 1 else imgs
        head = self.mlm_head
        start = time.perf_counter()
        if use_cache:
            state = {'kv': self.decoder.start(imgs)}
            if k > 1:
                state['kv'] = state['kv'].index_select(
                    torch.arange(b, device=imgs.device).repeat_interleave(k))

            def scorer(ids: Tensor) -> Tensor:
                return head(self.decoder.step(state['kv'], ids))

            def reorder(index: Tensor) -> None:
                state['kv'] = state['kv'].index_select(index)
        else:
            def scorer(ids: Tensor) -> Tensor:
                return head(self.decoder.uncached_step(clips, ids))

            reorder = None
        tokens, scores = caption_search(scorer, b, cfg, imgs.device, reorder)
        seconds = time.perf_counter() - start
        self.last_decode_stats = dict(
            seconds=seconds, clips=float(b),
            tokens=float(sum(len(t) + 1 for t in tokens)))
        captions = [self.tokenizer.decode(t, skip_special_tokens=True)
                    for t in tokens]
        return dict(tokens=tokens, scores=scores, captions=captions)

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> List:
        """Write ``pred_caption``, ``pred_tokens``, ``pred_score``."""
        out = self.generate(inputs['imgs'])
        if data_samples is None:
            from mmaction.structures import ActionDataSample
            data_samples = [ActionDataSample() for _ in out['captions']]
        for ds, cap, tok, score in zip(data_samples, out['captions'],
                                       out['tokens'], out['scores']):
            ds.set_field(cap, 'pred_caption')
            ds.set_field(torch.as_tensor(tok, dtype=torch.long),
                         'pred_tokens')
            ds.set_field(float(score), 'pred_score')
        return data_samples

    def extract_feat(self, inputs: Dict[str, Tensor]
                     ) -> Union[Dict[str, Tensor], Tensor]:
        """``'tensor'`` mode: caption features (with text) or video feats."""
        if 'input_ids' in inputs:
            return dict(text_feats=self.caption_feats(
                inputs['imgs'], inputs['input_ids'],
                inputs.get('attention_mask')))
        return dict(video_feats=self.backbone.forward_video(inputs['imgs']))
