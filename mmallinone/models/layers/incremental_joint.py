"""Incremental (key/value-cached) text decoding on the joint path.

With the sequence-to-sequence mask of
:meth:`AllInOneTransformer.forward_joint` (``text_attn_mask`` causal), the
visual tokens never attend to text, so their keys and values at every block
are fixed once the clip is known; a text token attends to those and to the
text tokens before it. Generating a caption then needs **one** video pass
(:meth:`IncrementalJointDecoder.start`) and, per new token, one block pass
of that token alone (:meth:`IncrementalJointDecoder.step`), against the
cached video keys/values and the cached keys/values of the tokens generated
so far. The uncached reference re-runs the whole joint path on the prefix
for every token; both give the same features up to float rounding
(``tests/models/layers/test_incremental_joint.py``).

Layout follows the backbone's ``temporal_mode``: ``'rolling'`` / ``'none'``
keep one sequence per frame (``G = S`` sequences per clip, text features
averaged over frames as in the joint path); ``'flatten'`` keeps one sequence
per clip (``G = 1``). Token rolling moves visual tokens only, so it is
applied to the cached video pass exactly as in the joint path. The
``'random'`` rolling strategy draws new slots at every call: the cached path
draws once per clip and therefore differs from an uncached run, which draws
anew at every step.
"""
from dataclasses import dataclass, field
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['IncrementalJointDecoder', 'JointKVState']


@dataclass
class JointKVState:
    """Cached keys/values of ``N`` clips (``N * G`` sequences).

    Attributes:
        video_k (list[Tensor]): Per block ``(N*G, heads, Lv', d)``.
        video_v (list[Tensor]): Per block, as ``video_k``.
        text_k (list[Tensor]): Per block ``(N*G, heads, t, d)``, the ``t``
            text tokens fed so far (empty before the first step).
        text_v (list[Tensor]): As ``text_k``.
        groups (int): ``G``, sequences per clip.
    """

    video_k: List[Tensor]
    video_v: List[Tensor]
    groups: int
    text_k: List[Optional[Tensor]] = field(default_factory=list)
    text_v: List[Optional[Tensor]] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Text tokens fed so far."""
        k = self.text_k[0] if self.text_k else None
        return 0 if k is None else k.shape[2]

    def index_select(self, index: Tensor) -> 'JointKVState':
        """Keep / reorder clips (beam search): ``index`` ``(N',)``.

        Every cached tensor is gathered along its sequence axis; the video
        caches of beams of one clip stay shared when ``index`` only repeats.
        """
        g = self.groups
        seq = (index[:, None] * g + torch.arange(
            g, device=index.device)[None]).reshape(-1)

        def pick(ts: List[Optional[Tensor]]) -> List[Optional[Tensor]]:
            return [None if t is None else t.index_select(0, seq) for t in ts]

        return JointKVState(
            video_k=pick(self.video_k), video_v=pick(self.video_v),
            groups=g, text_k=pick(self.text_k), text_v=pick(self.text_v))


class IncrementalJointDecoder:
    """Key/value-cached joint forward of an :class:`AllInOneTransformer`.

    Not a module: it holds no weights, it runs the backbone's own
    embeddings, rolling layer, blocks (``norm1``, ``attn.qkv``, ``attn.proj``,
    ``mlp``, ...) and final norm, one new text token at a time.

    Args:
        backbone (nn.Module): An :class:`AllInOneTransformer`.
    """

    def __init__(self, backbone: nn.Module) -> None:
        self.backbone = backbone

    @staticmethod
    def _split_heads(attn: nn.Module, x: Tensor):
        """``(N, L, C)`` -> q, k, v ``(N, heads, L, d)`` (q/k normed)."""
        n, length, _ = x.shape
        qkv = attn.qkv(x).reshape(n, length, 3, attn.num_heads,
                                  -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        return attn.q_norm(q), attn.k_norm(k), v

    @torch.no_grad()
    def start(self, imgs: Tensor) -> JointKVState:
        """Encode clips ``(N, S, 3, H, W)`` once; cache every block's K/V."""
        bb = self.backbone
        with bb._autocast(imgs.device):
            b, s = imgs.shape[:2]
            x = bb.embed_video(imgs)  # (N*S, Lv, C)
            lv = x.shape[1]
            flatten = bb.temporal_mode == 'flatten'
            if flatten:
                x = x.reshape(b, s * lv, -1)
            roll = bb.ttr is not None and not flatten and s > 1
            keys, values = [], []
            for i, blk in enumerate(bb.blocks):
                if roll and i >= bb.ttr_start_block:
                    x = bb.ttr(x, s, layer_idx=i, visual_start=0)
                _, k, v = self._split_heads(blk.attn, blk.norm1(x))
                keys.append(k)
                values.append(v)
                x = blk(x)
        return JointKVState(
            video_k=keys, video_v=values, groups=1 if flatten else s,
            text_k=[None] * len(keys), text_v=[None] * len(keys))

    @torch.no_grad()
    def step(self, state: JointKVState, input_ids: Tensor) -> Tensor:
        """Feed the next token of every sequence; return its feature.

        Args:
            state (JointKVState): Cache of ``N`` clips; updated in place.
            input_ids (Tensor): ``(N, t + 1)``: the whole prefix (only the
                last token is run through the blocks; the prefix gives its
                position and must match what was fed before).

        Returns:
            Tensor: ``(N, C)`` final-norm feature of the last token,
            averaged over the ``G`` sequences of each clip (float32).
        """
        bb = self.backbone
        t = input_ids.shape[1] - 1
        if t != state.length:
            raise ValueError(f'The cache holds {state.length} text tokens; '
                             f'got a prefix of {t + 1} (expected '
                             f'{state.length + 1}).')
        g = state.groups
        with bb._autocast(input_ids.device):
            x = bb.embed_text(input_ids)[:, -1:]  # (N, 1, C)
            x = x.repeat_interleave(g, dim=0)  # (N*G, 1, C)
            for i, blk in enumerate(bb.blocks):
                attn = blk.attn
                h = blk.norm1(x)
                q, k, v = self._split_heads(attn, h)
                if state.text_k[i] is not None:
                    k = torch.cat([state.text_k[i], k], dim=2)
                    v = torch.cat([state.text_v[i], v], dim=2)
                state.text_k[i], state.text_v[i] = k, v
                keys = torch.cat([k, state.video_k[i]], dim=2)
                vals = torch.cat([v, state.video_v[i]], dim=2)
                out = F.scaled_dot_product_attention(q, keys, vals)
                out = out.transpose(1, 2).reshape(x.shape[0], 1, -1)
                out = attn.norm(out)
                gate = getattr(attn, 'gate', None)
                if gate is not None:
                    out = out * gate(h).sigmoid()
                out = attn.proj_drop(attn.proj(out))
                x = x + blk.drop_path1(blk.ls1(out))
                x = x + blk.drop_path2(blk.ls2(blk.mlp(blk.norm2(x))))
            x = bb.norm(x)[:, 0]
            x = x.view(-1, g, x.shape[-1]).mean(1)
        return x.float()

    @torch.no_grad()
    def uncached_step(self, imgs: Tensor, input_ids: Tensor) -> Tensor:
        """Reference: the full joint path on the prefix, causal text mask.

        Args:
            imgs (Tensor): ``(N, S, 3, H, W)``.
            input_ids (Tensor): ``(N, t + 1)``.

        Returns:
            Tensor: ``(N, C)`` feature of the last token.
        """
        length = input_ids.shape[1]
        causal = torch.ones(length, length, dtype=torch.bool,
                            device=input_ids.device).tril()
        text, _ = self.backbone.forward_joint(imgs, input_ids,
                                              text_attn_mask=causal)
        return text[:, -1]
