"""An independent re-statement of the All-in-One forward that reads
a *released-layout* state dict (``transformer.*``, ``itm_score.*``, ...)
directly, with plain tensor operations. Used only by the parity tests; it
shares no code with ``mmallinone.models``.
"""
import math
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from torch import Tensor


class ReferenceAllInOne:
    """The All-in-One forward on a released state dict ``sd`` (eval mode).

    Args:
        sd (dict): Released-layout tensors.
        num_heads (int): Attention heads.
        ttr (str): ``'block'`` (v=0), ``'random'``, ``'varying'``,
            ``'channel_shift'`` or ``'none'``.
        n_div (int): Defaults to 8.
        shuffle (bool): Authors' per-frame patch permutation: one
            ``torch.multinomial(ones(P), P)`` per frame, b-major/t-minor.
        patch_size (int): Defaults to 16.
        drop (float): Train-mode dropout of the authors' ViT (embeddings,
            attention projection, both MLP layers); 0 is eval mode.
            Defaults to 0.
    """

    def __init__(self, sd: Dict[str, Tensor], num_heads: int,
                 ttr: str = 'block', n_div: int = 8, shuffle: bool = False,
                 patch_size: int = 16, drop: float = 0.) -> None:
        self.sd = sd
        self.h = num_heads
        self.ttr = ttr
        self.n_div = n_div
        self.shuffle = shuffle
        self.p = patch_size
        self.drop = drop
        self.depth = len({k.split('.')[2] for k in sd
                          if k.startswith('transformer.blocks.')})
        self.distilled = 'transformer.dist_token' in sd

    # ------------------------------------------------------------ helpers
    def w(self, key: str) -> Tensor:
        return self.sd[key]

    @staticmethod
    def layer_norm(x: Tensor, weight: Tensor, bias: Tensor,
                   eps: float) -> Tensor:
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu)**2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + eps) * weight + bias

    @staticmethod
    def gelu(x: Tensor) -> Tensor:
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))

    def dropout(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.drop, training=self.drop > 0)

    def linear(self, x: Tensor, name: str) -> Tensor:
        out = x @ self.w(name + '.weight').t()
        if name + '.bias' in self.sd:
            out = out + self.w(name + '.bias')
        return out

    # --------------------------------------------------------- embeddings
    def text_embed(self, ids: Tensor) -> Tensor:
        """word + position + BERT type 0 -> LN(1e-12) -> + modality row 0."""
        n = ids.shape[1]
        x = self.w('text_embeddings.word_embeddings.weight')[ids]
        x = x + self.w('text_embeddings.position_embeddings.weight')[:n]
        x = x + self.w('text_embeddings.token_type_embeddings.weight')[0]
        x = self.layer_norm(x, self.w('text_embeddings.LayerNorm.weight'),
                            self.w('text_embeddings.LayerNorm.bias'), 1e-12)
        return x + self.w('token_type_embeddings.weight')[0]

    def visual_embed(self, imgs: Tensor) -> Tensor:
        """(B, T, 3, H, W) -> (B*T, Lv, D) (the authors' patch layout)."""
        b, t = imgs.shape[:2]
        frames = imgs.reshape(b * t, *imgs.shape[2:])
        conv = F.conv2d(frames, self.w('transformer.patch_embed.proj.weight'),
                        self.w('transformer.patch_embed.proj.bias'),
                        stride=self.p)
        tokens = conv.flatten(2).transpose(1, 2)  # (BT, P, D) raster
        num_p = tokens.shape[1]
        pos = self.w('transformer.pos_embed')
        extra = 2 if self.distilled else 1
        patch_pos = pos[:, extra:].expand(b * t, -1, -1)
        if self.shuffle:
            perms = [torch.multinomial(torch.ones(num_p), num_p)
                     for _ in range(b * t)]
            tokens = torch.stack([tokens[i, p] for i, p in enumerate(perms)])
            patch_pos = torch.stack(
                [patch_pos[i, p] for i, p in enumerate(perms)])
        patch_pos = patch_pos.reshape(b, t, num_p, -1)
        if 'transformer.temporal_embed' in self.sd and t > 1:
            patch_pos = patch_pos + self.w(
                'transformer.temporal_embed')[0, :t, None, :]
        patch_pos = patch_pos.reshape(b * t, num_p, -1)
        head = [self.w('transformer.cls_token')[0] + pos[0, :1]]
        if self.distilled:
            head.append(self.w('transformer.dist_token')[0] + pos[0, 1:2])
        head = torch.cat(head).expand(b * t, -1, -1)
        x = torch.cat([head, tokens + patch_pos], dim=1)
        # the authors' pos_drop comes first; the modality embedding is added
        # to the dropped-out tokens
        return self.dropout(x) + self.w('token_type_embeddings.weight')[1]

    # -------------------------------------------------------------- block
    def block(self, x: Tensor, i: int, key_mask: Optional[Tensor]) -> Tensor:
        pre = f'transformer.blocks.{i}.'
        n, length, d = x.shape
        y = self.layer_norm(x, self.w(pre + 'norm1.weight'),
                            self.w(pre + 'norm1.bias'), 1e-6)
        qkv = self.linear(y, pre + 'attn.qkv').reshape(
            n, length, 3, self.h, d // self.h).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q @ k.transpose(-2, -1)) * (d // self.h)**-0.5
        if key_mask is not None:
            scores = scores.masked_fill(~key_mask[:, None, None, :],
                                        float('-inf'))
        att = scores.softmax(-1) @ v  # (n, h, L, d/h)
        att = att.transpose(1, 2).reshape(n, length, d)
        x = x + self.dropout(self.linear(att, pre + 'attn.proj'))
        y = self.layer_norm(x, self.w(pre + 'norm2.weight'),
                            self.w(pre + 'norm2.bias'), 1e-6)
        y = self.dropout(self.gelu(self.linear(y, pre + 'mlp.fc1')))
        y = self.dropout(self.linear(y, pre + 'mlp.fc2'))
        return x + y

    def final_norm(self, x: Tensor) -> Tensor:
        return self.layer_norm(x, self.w('transformer.norm.weight'),
                               self.w('transformer.norm.bias'), 1e-6)

    # ---------------------------------------------------------------- TTR
    def roll(self, vis: Tensor, t: int, layer: int) -> Tensor:
        """Temporal token rolling on the visual part ``(B*T, Lv, D)``."""
        bt, lv, d = vis.shape
        x = vis.reshape(bt // t, t, lv, d)
        prev = torch.cat([x[:, -1:], x[:, :-1]], 1)  # frame t-1 (cyclic)
        nxt = torch.cat([x[:, 1:], x[:, :1]], 1)  # frame t+1 (cyclic)
        y = x.clone()
        if self.ttr == 'block':
            f = lv // self.n_div
            y[:, :, 1:1 + f] = prev[:, :, 1:1 + f]
            y[:, :, lv - f:] = nxt[:, :, lv - f:]
        elif self.ttr == 'random':
            # OUR intended behaviour (not the authors' in-place Python RNG):
            # Lv//2 distinct patch slots from the torch RNG, one draw per call
            slots = torch.randperm(lv - 1)[:lv // 2] + 1
            y[:, :, slots] = prev[:, :, slots]
        elif self.ttr == 'varying':
            # OUR intended behaviour: the authors' v=2 block without zeroing
            r = lv // self.n_div
            s = 1 + r * (layer % self.n_div)
            e = min(s + r, lv)
            y[:, :, s:e] = prev[:, :, s:e]
        elif self.ttr == 'channel_shift':
            # OUR intended behaviour: a real TSM channel shift of patches
            fold = d // self.n_div
            y[:, :, 1:, :fold] = prev[:, :, 1:, :fold]
            y[:, :, 1:, fold:2 * fold] = nxt[:, :, 1:, fold:2 * fold]
        return y.reshape(bt, lv, d)

    # ------------------------------------------------------------ forward
    def joint(self, imgs: Tensor, ids: Tensor, mask: Tensor) -> dict:
        """Joint sequence: text, per-frame patches, blocks."""
        b, t = imgs.shape[:2]
        text = self.text_embed(ids).repeat_interleave(t, 0)
        vis = self.visual_embed(imgs)
        lt, lv = text.shape[1], vis.shape[1]
        x = torch.cat([text, vis], 1)
        key_mask = torch.cat([
            mask.bool().repeat_interleave(t, 0),
            torch.ones(b * t, lv, dtype=torch.bool)
        ], 1)
        for i in range(self.depth):
            if self.ttr != 'none' and t > 1:
                x = torch.cat([x[:, :lt], self.roll(x[:, lt:], t, i)], 1)
            x = self.block(x, i, key_mask)
        x = self.final_norm(x).reshape(b, t, lt + lv, -1).mean(1)
        return self.heads(dict(text_feats=x[:, :lt], video_feats=x[:, lt:],
                               cls=x[:, 0]))

    def text_only(self, ids: Tensor, mask: Tensor) -> dict:
        """Text-only path (the T identical copies of eval mode taken once)."""
        x = self.text_embed(ids)
        for i in range(self.depth):
            x = self.block(x, i, mask.bool())
        x = self.final_norm(x)
        return self.heads(dict(text_feats=x, cls=x[:, 0]))

    def video_only(self, imgs: Tensor) -> dict:
        """Video-only path: per-frame ViT (no TTR), final norm, frame mean."""
        b, t = imgs.shape[:2]
        x = self.visual_embed(imgs)
        for i in range(self.depth):
            x = self.block(x, i, None)
        x = self.final_norm(x).reshape(b, t, x.shape[1], -1).mean(1)
        return self.heads(dict(video_feats=x, cls=x[:, 0]))

    def heads(self, out: dict) -> dict:
        """Pooler (tanh dense on token 0), ITM logits, MLM logits."""
        pooled = torch.tanh(self.linear(out['cls'], 'pooler.dense'))
        out['pooled'] = pooled
        if 'itm_score.fc.weight' in self.sd:
            out['itm'] = self.linear(pooled, 'itm_score.fc')
        if 'text_feats' in out and 'mlm_score.bias' in self.sd:
            y = self.gelu(self.linear(out['text_feats'],
                                      'mlm_score.transform.dense'))
            y = self.layer_norm(
                y, self.w('mlm_score.transform.LayerNorm.weight'),
                self.w('mlm_score.transform.LayerNorm.bias'), 1e-12)
            out['mlm'] = y @ self.w('mlm_score.decoder.weight').t() + \
                self.w('mlm_score.bias')
        return out


def plain_vit_tokens(sd: Dict[str, Tensor], frame: Tensor, num_heads: int,
                     patch_size: int = 16) -> Tensor:
    """A plain ViT forward (timm key names, no prefix) of one frame.

    ``(1, 3, H, W) -> (1, 1 + P, D)`` after the final norm; the position
    table must already fit the grid.
    """
    released = {'transformer.' + k: v for k, v in sd.items()}
    ref = ReferenceAllInOne(released, num_heads, ttr='none',
                            patch_size=patch_size)
    conv = F.conv2d(frame, sd['patch_embed.proj.weight'],
                    sd['patch_embed.proj.bias'], stride=patch_size)
    tokens = conv.flatten(2).transpose(1, 2)
    x = torch.cat([sd['cls_token'].expand(tokens.shape[0], -1, -1), tokens],
                  1) + sd['pos_embed']
    for i in range(ref.depth):
        x = ref.block(x, i, None)
    return ref.final_norm(x)
