"""Cloze: predict masked words of a caption and where they look in the video.

Used by ``tools/visualizations/cloze.py`` (the paper's Figure 6).
"""
from typing import Any, Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmallinone.structures import middle_view
from .inference import (VideoLike, _require, load_video, tokenize,
                        video_inputs)

__all__ = ['fill_masks', 'last_layer_attention', 'word_patch_transport']

METHODS = ('attention', 'ot')


class _AttentionRecorder:
    """Recompute a timm ``Attention``'s probabilities from its inputs.

    A forward pre-hook keeps the block input and the key mask; the softmax
    attention ``(N, heads, L, L)`` is recomputed from the module's own
    ``qkv`` projection (the fused SDPA kernel does not return it).
    """

    def __init__(self, attn: nn.Module) -> None:
        self.attn = attn
        self.inputs: Optional[Tensor] = None
        self.mask: Optional[Tensor] = None
        self.handle = attn.register_forward_pre_hook(self._hook,
                                                     with_kwargs=True)

    def _hook(self, module: nn.Module, args: tuple, kwargs: dict) -> None:
        self.inputs = args[0].detach()
        self.mask = kwargs.get('attn_mask')

    def probabilities(self) -> Tensor:
        """Attention ``(N, heads, L, L)`` of the recorded call."""
        attn, x = self.attn, self.inputs
        n, length, _ = x.shape
        qkv = attn.qkv(x).reshape(n, length, 3, attn.num_heads,
                                  -1).permute(2, 0, 3, 1, 4)
        q, k = attn.q_norm(qkv[0]), attn.k_norm(qkv[1])
        logits = (q * attn.scale) @ k.transpose(-2, -1)
        if self.mask is not None:
            logits = logits.masked_fill(~self.mask.bool(), float('-inf'))
        return logits.softmax(-1)

    def remove(self) -> None:
        self.handle.remove()


def last_layer_attention(model: nn.Module, imgs: Tensor, input_ids: Tensor,
                         attention_mask: Tensor,
                         positions: List[int]) -> Dict[str, Tensor]:
    """Joint forward of one video-text pair; text->patch attention maps.

    Args:
        model (nn.Module): A task model with an All-in-One backbone.
        imgs (Tensor): Normalised frames ``(1, S, 3, H, W)``.
        input_ids (Tensor): ``(1, Lt)``.
        attention_mask (Tensor): ``(1, Lt)``.
        positions (list[int]): Text positions whose attention is returned.

    Returns:
        dict: ``text_feats`` ``(1, Lt, C)``, ``video_feats`` ``(1, Lv, C)``
        and ``maps`` ``(len(positions), S, Hp, Wp)``: per frame, the
        head-averaged last-layer attention of each text position over the
        frame's patches (a probability mass; rows do not sum to 1 because
        the text tokens and the visual CLS take the rest).
    """
    backbone = model.backbone
    if backbone.temporal_mode == 'flatten':
        raise ValueError("temporal_mode='flatten' puts all frames in one "
                         'sequence; per-frame maps are not supported.')
    if backbone.patch_order != 'raster':
        raise ValueError('Attention maps need patch_order="raster" (the '
                         'reference shuffle permutes patch slots).')
    recorder = _AttentionRecorder(backbone.blocks[-1].attn)
    try:
        text_feats, video_feats = backbone.forward_joint(
            imgs, input_ids, attention_mask)
        probs = recorder.probabilities()  # (S, heads, L, L)
    finally:
        recorder.remove()
    lt = input_ids.shape[1]
    s, _, h, w = imgs.shape[1:]
    hp, wp = h // backbone.patch_size, w // backbone.patch_size
    start = lt + backbone.num_extra_tokens
    probs = probs.mean(1)[:, positions, start:start + hp * wp]  # (S, W, P)
    maps = probs.permute(1, 0, 2).reshape(len(positions), s, hp, wp)
    return dict(text_feats=text_feats, video_feats=video_feats, maps=maps)


def word_patch_transport(model: nn.Module, text_feats: Tensor,
                         video_feats: Tensor, attention_mask: Tensor,
                         positions: List[int], grid: tuple) -> Tensor:
    """IPOT word-patch transport plan (the WPA loss's) of given words.

    Args:
        model (nn.Module): A model that can ``'fill_mask'`` (its
            ``wpa_loss`` settings are used when it has a WPA loss).
        text_feats (Tensor): ``(1, Lt, C)`` joint text features.
        video_feats (Tensor): ``(1, Lv, C)`` joint (time-averaged) visual
            features.
        attention_mask (Tensor): ``(1, Lt)``.
        positions (list[int]): Text positions.
        grid (tuple): Patch grid ``(Hp, Wp)``.

    Returns:
        Tensor: ``(len(positions), Hp, Wp)`` transport mass of each word to
        each patch (one map for all frames: the features are averaged over
        time before the transport, as in the WPA loss).
    """
    from mmallinone.models.losses.wpa_loss import (WordPatchAlignmentLoss,
                                                   ipot)
    # the pre-trainer's WPA settings, or the loss's defaults without one
    wpa = getattr(model, 'wpa_loss', None) or WordPatchAlignmentLoss()
    beta, iterations, k = wpa.beta, wpa.iterations, wpa.k
    n_extra = model.backbone.num_extra_tokens
    txt = F.normalize(text_feats.float(), dim=-1)
    vid = F.normalize(video_feats[:, n_extra:].float(), dim=-1)
    valid_t = attention_mask.bool().clone()
    valid_t[:, 0] = False  # [CLS]
    valid_t[0, int(attention_mask.sum()) - 1] = False  # [SEP]
    valid_v = torch.ones(vid.shape[:2], dtype=torch.bool, device=vid.device)
    cost = 1 - txt.bmm(vid.transpose(1, 2))  # (1, Lt, P)
    cost = cost.masked_fill(~valid_t[:, :, None], 0)
    plan = ipot(cost, ~valid_t, ~valid_v, beta, iterations, k)  # (1, P, Lt)
    return plan[0, :, positions].t().reshape(len(positions), *grid)


@torch.no_grad()
def fill_masks(model: nn.Module,
               video: VideoLike,
               text: str,
               method: str = 'attention',
               top_k: int = 5) -> Dict[str, Any]:
    """Predict every ``[MASK]`` of ``text`` and map each word onto patches.

    One joint forward of the video and the masked text; the MLM head
    predicts each masked token. For each, ``method`` gives a heat map:

    - ``'attention'``: the last block's attention of the masked text token
      over each frame's patches, averaged over heads (``(S, Hp, Wp)``);
    - ``'ot'``: the word-patch optimal-transport plan of the WPA loss
      (IPOT on the cosine cost of the final features), one map repeated for
      every frame.

    Args:
        model (nn.Module): A model from :func:`init_model` with an
            ``mlm_head`` (a pre-training config).
        video (str | Tensor): One video (see :func:`load_video`).
        text (str): A caption with one or more ``[MASK]`` tokens, e.g.
            ``'a man is [MASK] a [MASK]'``.
        method (str): ``'attention'`` or ``'ot'``. Defaults to
            ``'attention'``.
        top_k (int): Candidates kept per mask. Defaults to 5.

    Returns:
        dict: ``tokens`` (the input word pieces), ``positions`` (index of
        each ``[MASK]``), ``words`` (the best prediction per mask),
        ``top_k`` (per mask, a list of ``(word, probability)``),
        ``filled`` (the caption with the predictions), ``maps``
        ``(W, S, Hp, Wp)`` float heat maps (each map min-max scaled to
        [0, 1]) and ``frames`` uint8 ``(S, 3, H, W)`` (the frames the model
        read, after the test pipeline's resize and crop).
    """
    if method not in METHODS:
        raise ValueError(f'Unknown method {method!r}; valid: {METHODS}')
    _require(model, 'fill_mask', 'fill in masked words (use a pre-training '
             'config, AllInOnePretrainer)')
    tokenizer = model.inference_data.tokenizer
    ids, mask = tokenize(model, [text])
    mask_id = tokenizer.mask_token_id
    positions = [int(i) for i in (ids[0] == mask_id).nonzero()[:, 0]]
    written = tokenizer(text)['input_ids'].count(mask_id)
    if written > len(positions):
        raise ValueError(
            f'text: {written - len(positions)} of its {written} '
            f'{tokenizer.mask_token} token(s) lie beyond the text limit of '
            f'{model.inference_data.max_length} tokens and were cut off by '
            'truncation; shorten the text.')
    if not positions:
        raise ValueError(f'No {tokenizer.mask_token} in the text {text!r}; '
                         f'write e.g. "a man is {tokenizer.mask_token} a '
                         f'{tokenizer.mask_token}".')
    frames = load_video(model, video)
    frames = middle_view(frames[None])[0]  # the view the model reads
    imgs = video_inputs(model, frames)
    out = last_layer_attention(model, imgs, ids, mask, positions)
    logits = model.mlm_head(out['text_feats'][0, positions]).float()
    probs = logits.softmax(-1)
    top = probs.topk(top_k, dim=-1)
    cands = [[(tokenizer.convert_ids_to_tokens(int(i)), float(p))
              for p, i in zip(ps, idx)]
             for ps, idx in zip(top.values, top.indices)]
    words = [c[0][0] for c in cands]
    maps = out['maps']
    if method == 'ot':
        plan = word_patch_transport(model, out['text_feats'],
                                    out['video_feats'], mask, positions,
                                    maps.shape[-2:])
        maps = plan[:, None].expand_as(maps)
    flat = maps.flatten(1)
    lo, hi = flat.min(1, keepdim=True)[0], flat.max(1, keepdim=True)[0]
    maps = ((flat - lo) / (hi - lo).clamp(min=1e-12)).view_as(maps)
    filled_ids = ids[0].clone()
    filled_ids[positions] = top.indices[:, 0].to(filled_ids)
    real = int(mask[0].sum())
    filled = tokenizer.decode(filled_ids[1:real - 1].tolist())
    return dict(
        tokens=tokenizer.convert_ids_to_tokens(ids[0, :real].tolist()),
        positions=positions,
        words=words,
        top_k=cands,
        filled=filled,
        maps=maps.cpu(),
        frames=frames.cpu())
