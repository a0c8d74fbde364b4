"""The All-in-One unified video-language Transformer backbone."""
import math
from contextlib import nullcontext
from functools import partial
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from mmengine.utils import to_2tuple
from timm.layers import PatchEmbed
from timm.models.vision_transformer import Block
from torch import Tensor
from transformers import BertConfig
from transformers.models.bert.modeling_bert import BertEmbeddings

from mmallinone.registry import MODELS
from ..layers.embeddings import (grid_shape, resize_pos_embed,
                                 resize_temporal_embed)

__all__ = ['AllInOneTransformer']

_TEXT, _VIDEO = 0, 1


@MODELS.register_module()
class AllInOneTransformer(BaseModule):
    """One ViT that reads raw frames and text together (All-in-One).

    For every frame the text tokens are joined with that frame's visual
    tokens, ``[text (Lt) ; visual CLS + P patches (Lv)]``, so attention costs
    ``O(S (Lt + Lv)^2)``. Before each block from ``ttr_start_block`` on, a
    parameter-free temporal token roll lets frames exchange tokens. After the
    final norm the per-frame outputs are averaged over time.

    Three entry points share the weights: joint (``imgs`` and ``input_ids``),
    video-only (``imgs``) and text-only (``input_ids``; the text is encoded
    once, not once per frame as in the authors' code).

    Key names follow timm's ViT (``patch_embed.proj``, ``pos_embed``,
    ``cls_token``, ``blocks.i.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,
    mlp.fc2}``, ``norm``) and HF BERT's embeddings (``text_embeddings.*``),
    so the authors' and timm's weights load with the least mapping.

    Args:
        arch (str | dict): ``'tiny'``, ``'small'``, ``'base'``, ``'large'``
            or a dict with ``embed_dims``, ``num_layers``, ``num_heads`` and
            optionally ``mlp_ratio``. Defaults to ``'base'``.
        img_size (int | tuple): Size the spatial position table is built
            for; other sizes are interpolated. Defaults to 224.
        patch_size (int): Defaults to 16.
        num_frames (int): Frames the temporal table is built for; other
            counts are interpolated. Defaults to 3.
        max_text_len (int): Rows of the text position table. Defaults to 40.
        vocab_size (int): Defaults to 30522 (bert-base-uncased).
        drop_rate (float): Dropout of embeddings, attention projections and
            MLPs. Defaults to 0.1.
        drop_path_rate (float): Maximum stochastic depth. Defaults to 0.1.
        qkv_bias (bool): Defaults to True.
        temporal_mode (str): ``'rolling'`` (token rolling before blocks,
            :class:`TemporalTokenRoll`), ``'none'`` (frames independent,
            time average, :class:`FrameIndependent`) or ``'flatten'`` (all
            frames of a clip in one sequence, :class:`FlattenFrames`).
            Defaults to ``'rolling'``.
        ttr_cfg (dict): Config of the rolling layer (``'rolling'`` only):
            any registered parameter-free module with ``forward(x,
            num_frames, layer_idx, visual_start)``, optionally
            ``frames_per_sequence`` (default 1). Defaults to
            ``dict(type='TemporalTokenRoll', strategy='block', n_div=8)``.
        ttr_start_block (int): First block preceded by a roll. Defaults to 0.
        roll_video_only (bool): Also roll in the video-only path (the
            authors do not). Defaults to False.
        patch_order (str): ``'raster'`` (default) or ``'reference_shuffle'``:
            per frame, patch slots hold a random permutation drawn with
            ``torch.multinomial`` from the CPU RNG, as the authors'
            checkpoints were trained.
        with_temporal_embed (bool): Learn a temporal table. Defaults to True.
        with_dist_token (bool): Add DeiT's distillation token (the authors'
            distilled All-in-One-S): an extra visual token at index 1 (right
            after the visual CLS) with ``pos_embed[:, 1]``, no temporal
            embedding, rolled by TTR like a patch slot as the authors do.
            ``pos_embed`` then has ``P + 2`` rows. Defaults to False.
        temporal_inflation (str): How a checkpoint's temporal table of
            another length is fitted when loading: ``'pad'`` (keep the first
            ``T`` rows or zero-pad, the authors' behaviour) or
            ``'interpolate'`` (linear). Defaults to ``'pad'``.
        with_cp (bool): Activation (gradient) checkpointing per block, as
            ``with_cp`` in mmaction2/mmpretrain: in training, each block's
            activations are recomputed in the backward pass instead of being
            stored (``torch.utils.checkpoint``, non-reentrant, RNG state
            restored so dropout and stochastic depth draw the same masks).
            Same loss and gradients, less peak memory, about one extra
            forward pass of time. Defaults to False.
        compile_cfg (dict, optional): When given, every block is compiled
            in place with ``nn.Module.compile(**compile_cfg)`` (e.g.
            ``dict()`` for inductor defaults, ``dict(backend='eager')``);
            parameter names do not change, so checkpoints load as before.
            MMEngine's ``compile=True`` in the config compiles the whole
            train step instead. Defaults to None (eager).
        autocast_dtype (str, optional): ``'bfloat16'`` or ``'float16'``:
            run the backbone under ``torch.autocast`` of the input's device
            (bf16 works on CPU and GPU; fp16 is for GPUs, where MMEngine's
            ``AmpOptimWrapper`` is the usual config-only way). Outputs are
            returned in float32. Defaults to None (no autocast).
        linear_init_std (float, optional): Std of the truncated-normal init
            of every ``nn.Linear`` weight (biases zero), timm's ViT init.
            The fixed 0.02 matches PyTorch's fan-in scale only near width
            768; for a narrow model trained from scratch it shrinks every
            projection (3.6x at width 64), attention starts uniform and
            training sits on long plateaus (docs/benchmarks.md, synthetic
            motion). None keeps PyTorch's default ``nn.Linear`` init
            (uniform, std ``1 / sqrt(3 * fan_in)``). Irrelevant when
            weights are loaded. Defaults to 0.02.
        pos_embed_init_std (float): Std of the truncated-normal init of the
            spatial position table ``pos_embed``. timm's 0.02 is about 17x
            below the per-channel scale of the patch embedding's output
            (0.34 for frames normalised to [-1, 1], at any width), which
            is harmless when weights are loaded, but from scratch on a task
            where *where* a thing is decides the answer the position signal
            starts buried under the content and is learned late (synthetic
            motion: about 75 % for thousands of iterations at 0.02, 98 %
            after 1000 at 0.2; docs/benchmarks.md). Defaults to 0.02.
        init_cfg (dict, optional): MMEngine init config.
    """

    arch_zoo = {
        **dict.fromkeys(['t', 'ti', 'tiny'], dict(
            embed_dims=192, num_layers=12, num_heads=3, mlp_ratio=4.0)),
        **dict.fromkeys(['s', 'small'], dict(
            embed_dims=384, num_layers=12, num_heads=6, mlp_ratio=4.0)),
        **dict.fromkeys(['b', 'base'], dict(
            embed_dims=768, num_layers=12, num_heads=12, mlp_ratio=4.0)),
        **dict.fromkeys(['l', 'large'], dict(
            embed_dims=1024, num_layers=24, num_heads=16, mlp_ratio=4.0)),
    }
    TEMPORAL_MODES = {
        'rolling': 'TemporalTokenRoll',
        'none': 'FrameIndependent',
        'flatten': 'FlattenFrames'
    }
    PATCH_ORDERS = ('raster', 'reference_shuffle')
    TEMPORAL_INFLATIONS = ('pad', 'interpolate')
    AUTOCAST_DTYPES = {'bfloat16': torch.bfloat16, 'float16': torch.float16}

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 img_size: Union[int, Sequence[int]] = 224,
                 patch_size: int = 16,
                 num_frames: int = 3,
                 max_text_len: int = 40,
                 vocab_size: int = 30522,
                 drop_rate: float = 0.1,
                 drop_path_rate: float = 0.1,
                 qkv_bias: bool = True,
                 temporal_mode: str = 'rolling',
                 ttr_cfg: Optional[dict] = None,
                 ttr_start_block: int = 0,
                 roll_video_only: bool = False,
                 patch_order: str = 'raster',
                 with_temporal_embed: bool = True,
                 with_dist_token: bool = False,
                 temporal_inflation: str = 'pad',
                 with_cp: bool = False,
                 compile_cfg: Optional[dict] = None,
                 autocast_dtype: Optional[str] = None,
                 linear_init_std: Optional[float] = 0.02,
                 pos_embed_init_std: float = 0.02,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch_settings = self._parse_arch(arch)
        if temporal_mode not in self.TEMPORAL_MODES:
            raise ValueError(f'Unknown temporal_mode {temporal_mode!r}; '
                             f'valid: {tuple(self.TEMPORAL_MODES)}')
        if patch_order not in self.PATCH_ORDERS:
            raise ValueError(f'Unknown patch_order {patch_order!r}; '
                             f'valid: {self.PATCH_ORDERS}')
        if temporal_inflation not in self.TEMPORAL_INFLATIONS:
            raise ValueError(f'Unknown temporal_inflation '
                             f'{temporal_inflation!r}; valid: '
                             f'{self.TEMPORAL_INFLATIONS}')
        if autocast_dtype is not None and \
                autocast_dtype not in self.AUTOCAST_DTYPES:
            raise ValueError(f'Unknown autocast_dtype {autocast_dtype!r}; '
                             f'valid: {sorted(self.AUTOCAST_DTYPES)} or None')
        self.temporal_inflation = temporal_inflation
        self.linear_init_std = linear_init_std
        if pos_embed_init_std < 0:
            raise ValueError(f'pos_embed_init_std must be >= 0, got '
                             f'{pos_embed_init_std}')
        self.pos_embed_init_std = pos_embed_init_std
        self.with_cp = with_cp
        self.autocast_dtype = autocast_dtype
        self.with_dist_token = with_dist_token
        self.num_extra_tokens = 2 if with_dist_token else 1
        dims = self.arch_settings['embed_dims']
        depth = self.arch_settings['num_layers']
        heads = self.arch_settings['num_heads']
        self.embed_dims = dims
        self.num_layers = depth
        self.img_size = tuple(to_2tuple(img_size))
        if len(self.img_size) != 2:
            raise ValueError(f'Expected an int or (H, W), got {img_size}')
        self.patch_size = patch_size
        self.grid_size = grid_shape(self.img_size, patch_size)
        self.num_frames = num_frames
        self.max_text_len = max_text_len
        self.temporal_mode = temporal_mode
        self.ttr_start_block = ttr_start_block
        self.roll_video_only = roll_video_only
        self.patch_order = patch_order

        # ---- text: HF BERT embeddings (word + position + BERT type 0, LN)
        bert_cfg = BertConfig(
            vocab_size=vocab_size,
            hidden_size=dims,
            max_position_embeddings=max_text_len,
            hidden_dropout_prob=drop_rate,
            layer_norm_eps=1e-12,
            pad_token_id=0)
        self.text_embeddings = BertEmbeddings(bert_cfg)
        # ---- modality (token type) table: row 0 text, row 1 video
        self.token_type_embeddings = nn.Embedding(2, dims)

        # ---- visual embeddings (timm names)
        self.patch_embed = PatchEmbed(
            img_size=self.img_size,
            patch_size=patch_size,
            in_chans=3,
            embed_dim=dims,
            flatten=False,
            strict_img_size=False)
        num_patches = self.grid_size[0] * self.grid_size[1]
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dims))
        self.pos_embed = nn.Parameter(
            torch.zeros(1, num_patches + self.num_extra_tokens, dims))
        if with_dist_token:
            self.dist_token = nn.Parameter(torch.zeros(1, 1, dims))
        else:
            self.register_parameter('dist_token', None)
        if with_temporal_embed:
            self.temporal_embed = nn.Parameter(
                torch.zeros(1, num_frames, dims))
        else:
            self.register_parameter('temporal_embed', None)
        self.pos_drop = nn.Dropout(drop_rate)

        # ---- blocks (timm's pre-norm ViT block, SDPA attention)
        dpr = torch.linspace(0, drop_path_rate, depth).tolist()
        self.blocks = nn.ModuleList([
            Block(
                dim=dims,
                num_heads=heads,
                mlp_ratio=self.arch_settings.get('mlp_ratio', 4.0),
                qkv_bias=qkv_bias,
                proj_drop=drop_rate,
                drop_path=dpr[i],
                norm_layer=partial(nn.LayerNorm, eps=1e-6))
            for i in range(depth)
        ])
        for blk in self.blocks:
            # fused F.scaled_dot_product_attention (same maths, less memory)
            blk.attn.fused_attn = True
        self.norm = nn.LayerNorm(dims, eps=1e-6)
        if compile_cfg is not None:
            for blk in self.blocks:
                blk.compile(**compile_cfg)

        temporal_cfg = dict(type=self.TEMPORAL_MODES[temporal_mode])
        if temporal_mode == 'rolling' and ttr_cfg is not None:
            temporal_cfg = dict(ttr_cfg)
        self.temporal = MODELS.build(temporal_cfg)
        if any(True for _ in self.temporal.parameters()):
            raise ValueError('The temporal roll layer must be '
                             'parameter-free.')

    @property
    def ttr(self) -> Optional[nn.Module]:
        """The rolling layer (``ttr_cfg``), or None in another mode."""
        return self.temporal if self.temporal_mode == 'rolling' else None

    def _frames_per_sequence(self, num_frames: int) -> int:
        """Frames in one transformer sequence; 1 for a custom ``ttr_cfg``
        layer that only defines ``forward`` (see ``FrameIndependent``)."""
        fps = getattr(self.temporal, 'frames_per_sequence', None)
        return 1 if fps is None else fps(num_frames)

    # ----------------------------------------------------------------- setup
    def _parse_arch(self, arch: Union[str, dict]) -> dict:
        if isinstance(arch, str):
            key = arch.lower()
            if key not in self.arch_zoo:
                raise KeyError(f'Unknown arch {arch!r}; valid: '
                               f'{sorted(set(self.arch_zoo))} or a dict with '
                               'embed_dims, num_layers, num_heads')
            return dict(self.arch_zoo[key])
        required = {'embed_dims', 'num_layers', 'num_heads'}
        if not isinstance(arch, dict) or not required <= set(arch):
            raise ValueError(f'A custom arch must be a dict with keys '
                             f'{sorted(required)}, got {arch}')
        return dict(arch)

    def init_weights(self) -> None:
        """timm ViT init for visual parts, N(0, 0.02) for text/type tables."""
        super().init_weights()
        if (isinstance(self.init_cfg, dict)
                and self.init_cfg.get('type') == 'Pretrained'):
            return
        trunc_normal_(self.pos_embed, std=self.pos_embed_init_std)
        trunc_normal_(self.cls_token, std=0.02)
        if self.dist_token is not None:
            trunc_normal_(self.dist_token, std=0.02)
        for name, m in self.named_modules():
            if isinstance(m, nn.Linear):
                if self.linear_init_std is None:
                    continue  # keep PyTorch's fan-in-scaled default
                trunc_normal_(m.weight, std=self.linear_init_std)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=0.02)

    # ------------------------------------------------------- checkpoint load
    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              local_metadata: dict, strict: bool,
                              missing_keys: list, unexpected_keys: list,
                              error_msgs: list) -> None:
        """Fit a checkpoint's embedding tables to this config, then load.

        Runs before the children load (``state_dict`` is shared), so the
        text position table of ``text_embeddings`` is fitted here too (see
        :func:`mmallinone.checkpoint.backbone_fitting.fit_backbone_tables`).
        """
        # imported here: mmallinone.checkpoint's fitting uses this package's
        # embedding resizers (models.layers.embeddings)
        from mmallinone.checkpoint.backbone_fitting import \
            fit_backbone_tables
        fit_backbone_tables(self, state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)

    # ------------------------------------------------------------ embeddings
    def embed_text(self, input_ids: Tensor) -> Tensor:
        """Text tokens ``(B, Lt) -> (B, Lt, C)`` incl. the modality embed."""
        if input_ids.shape[1] > self.max_text_len:
            raise ValueError(
                f'Text of {input_ids.shape[1]} tokens is longer than the '
                f'position table ({self.max_text_len}); truncate it in the '
                'pipeline (TokenizeText.max_length) or raise max_text_len.')
        x = self.text_embeddings(input_ids=input_ids)
        return x + self.token_type_embeddings.weight[_TEXT]

    def embed_video(self, imgs: Tensor) -> Tensor:
        """Frames ``(B, S, 3, H, W) -> (B*S, 1 + P, C)`` visual tokens.

        Adds spatial position (bicubic-resized to the input grid), temporal
        (linearly resized to ``S``; none for one-frame clips, i.e. images)
        and modality embeddings; the CLS token gets ``pos_embed[:, 0]`` only.
        The embedding dropout acts before the modality embedding is added.
        """
        if imgs.dim() != 5:
            raise ValueError(f'imgs must be (B, S, 3, H, W), got '
                             f'{tuple(imgs.shape)}')
        b, s = imgs.shape[:2]
        x = self.patch_embed(imgs.flatten(0, 1))  # (B*S, C, Hp, Wp)
        hp, wp = x.shape[-2:]
        x = x.flatten(2).transpose(1, 2)  # (B*S, P, C)
        n_extra = self.num_extra_tokens
        pos = resize_pos_embed(self.pos_embed, self.grid_size, (hp, wp),
                               mode='bicubic', num_extra_tokens=n_extra)
        cls_pos, patch_pos = pos[:, :1], pos[:, n_extra:]
        x = x + patch_pos
        if self.temporal_embed is not None and s > 1:
            temporal = resize_temporal_embed(self.temporal_embed, s)
            x = (x.view(b, s, hp * wp, -1) + temporal[:, :, None]).flatten(
                0, 1)
        if self.patch_order == 'reference_shuffle':
            x = self._reference_shuffle(x)
        cls = self.cls_token + cls_pos
        if self.dist_token is not None:
            # distilled DeiT: [CLS, DIST, patches]; DIST gets pos row 1 only
            cls = torch.cat([cls, self.dist_token + pos[:, 1:2]], dim=1)
        cls = cls.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1)
        # as the authors: dropout first, then the modality embedding is
        # added to the dropped-out tokens (differs in train mode only)
        return self.pos_drop(x) + self.token_type_embeddings.weight[_VIDEO]

    @staticmethod
    def _reference_shuffle(x: Tensor) -> Tensor:
        """Permute patch slots per frame like the authors.

        One ``torch.multinomial(ones(P), P)`` draw on the CPU generator per
        frame, in b-major / t-minor order.
        """
        n, p, _ = x.shape
        weights = torch.ones(p)
        perm = torch.stack([torch.multinomial(weights, p) for _ in range(n)])
        index = perm.to(x.device)[..., None].expand_as(x)
        return torch.gather(x, 1, index)

    # -------------------------------------------------------------- encoders
    def _run_blocks(self,
                    x: Tensor,
                    key_mask: Optional[Tensor],
                    num_frames: int = 1,
                    visual_start: Optional[int] = None) -> Tensor:
        """Run all blocks; apply the temporal module before each when
        ``visual_start`` is given.

        Args:
            x (Tensor): ``(N, L, C)``.
            key_mask (Tensor, optional): ``(N, L)`` bool, True = attend;
                or a full ``(N, L, L)`` mask (row = query, column = key).
            num_frames (int): ``S`` (sequences are b-major / t-minor).
            visual_start (int, optional): Index of the visual CLS token;
                None disables the temporal module (no rolling).
        """
        if key_mask is None:
            attn_mask = None
        elif key_mask.dim() == 3:
            attn_mask = key_mask[:, None]
        else:
            attn_mask = key_mask[:, None, None, :]
        roll = visual_start is not None and num_frames > 1
        for i, blk in enumerate(self.blocks):
            if roll and i >= self.ttr_start_block:
                x = self.temporal(x, num_frames, layer_idx=i,
                                  visual_start=visual_start)
            if self.with_cp and self.training and torch.is_grad_enabled():
                x = cp.checkpoint(blk, x, attn_mask, use_reentrant=False)
            else:
                x = blk(x, attn_mask=attn_mask)
        return self.norm(x)

    def _autocast(self, device: torch.device):
        """``torch.autocast`` context of ``autocast_dtype`` (or a no-op)."""
        if self.autocast_dtype is None:
            return nullcontext()
        return torch.autocast(
            device.type, dtype=self.AUTOCAST_DTYPES[self.autocast_dtype])

    def forward_text(self, input_ids: Tensor,
                     attention_mask: Optional[Tensor] = None) -> Tensor:
        """Text-only path: ``(B, Lt) -> (B, Lt, C)``, text encoded once."""
        with self._autocast(input_ids.device):
            x = self.embed_text(input_ids)
            mask = None if attention_mask is None else attention_mask.bool()
            return self._run_blocks(x, mask).float()

    def forward_video(self, imgs: Tensor) -> Tensor:
        """Video-only path: ``(B, S, 3, H, W) -> (B, Lv, C)`` frame means."""
        with self._autocast(imgs.device):
            return self._forward_video(imgs).float()

    def _forward_video(self, imgs: Tensor) -> Tensor:
        b, s = imgs.shape[:2]
        x = self.embed_video(imgs)  # (B*S, Lv, C)
        lv = x.shape[1]
        g = self._frames_per_sequence(s)  # frames per sequence
        start = 0 if self.roll_video_only else None
        x = self._run_blocks(
            x.reshape(b * s // g, g * lv, -1), None, num_frames=s // g,
            visual_start=start)
        return x.view(b, s, lv, -1).mean(1)

    def forward_joint(self, imgs: Tensor, input_ids: Tensor,
                      attention_mask: Optional[Tensor] = None,
                      text_attn_mask: Optional[Tensor] = None
                      ) -> Tuple[Tensor, Tensor]:
        """Joint path: per frame ``[text ; visual]``, averaged over frames.

        Args:
            text_attn_mask (Tensor, optional): ``(Lt, Lt)`` or
                ``(B, Lt, Lt)`` bool, True = text query ``i`` may attend
                text key ``j`` (e.g. causal). When given, the joint mask is
                UniLM's sequence-to-sequence mask: visual tokens attend to
                visual tokens only (the visual features do not depend on
                the text), text tokens attend to every visual token and to
                the text keys this mask (and ``attention_mask``) allows.

        Returns:
            tuple: text features ``(B, Lt, C)`` and visual features
            ``(B, Lv, C)``, float32 also under ``autocast_dtype``.
        """
        with self._autocast(imgs.device):
            text, video = self._forward_joint(imgs, input_ids, attention_mask,
                                              text_attn_mask)
        return text.float(), video.float()

    @staticmethod
    def seq2seq_mask(key_mask: Tensor, text_len: int,
                     text_attn_mask: Tensor, groups: int = 1) -> Tensor:
        """Full ``(N, L, L)`` mask of ``[text (Lt) ; visual]`` sequences.

        Args:
            key_mask (Tensor): ``(N, L)`` bool, True = real token.
            text_len (int): ``Lt``.
            text_attn_mask (Tensor): ``(Lt, Lt)`` or ``(N // groups, Lt,
                Lt)`` bool text-to-text mask.
            groups (int): Sequences per sample (``S`` frames, b-major).
        """
        n, length = key_mask.shape
        full = key_mask[:, None, :].expand(n, length, length).clone()
        tmask = text_attn_mask.to(device=full.device, dtype=torch.bool)
        if tmask.dim() == 3 and groups > 1:
            tmask = tmask.repeat_interleave(groups, dim=0)
        full[:, :text_len, :text_len] &= tmask
        full[:, text_len:, :text_len] = False
        return full

    def _forward_joint(self, imgs: Tensor, input_ids: Tensor,
                       attention_mask: Optional[Tensor],
                       text_attn_mask: Optional[Tensor] = None
                       ) -> Tuple[Tensor, Tensor]:
        b, s = imgs.shape[:2]
        text = self.embed_text(input_ids)  # (B, Lt, C)
        lt = text.shape[1]
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        text_mask = attention_mask.bool()
        video = self.embed_video(imgs)  # (B*S, Lv, C)
        lv = video.shape[1]
        g = self._frames_per_sequence(s)  # frames per sequence
        n = s // g  # sequences per clip, each [text ; g frames]
        x = torch.cat([
            text.repeat_interleave(n, dim=0),
            video.reshape(b * n, g * lv, -1)
        ], dim=1)
        mask = torch.cat([
            text_mask.repeat_interleave(n, dim=0),
            text_mask.new_ones(b * n, g * lv)
        ], 1)
        if text_attn_mask is not None:
            mask = self.seq2seq_mask(mask, lt, text_attn_mask, groups=n)
        x = self._run_blocks(x, mask, num_frames=n, visual_start=lt)
        x = x.view(b, n, lt + g * lv, -1).mean(1)
        return x[:, :lt], x[:, lt:].reshape(b, g, lv, -1).mean(1)

    def forward(self,
                imgs: Optional[Tensor] = None,
                input_ids: Optional[Tensor] = None,
                attention_mask: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Encode video, text, or both.

        Args:
            imgs (Tensor, optional): Normalised frames ``(B, S, 3, H, W)``.
            input_ids (Tensor, optional): Token ids ``(B, Lt)``.
            attention_mask (Tensor, optional): ``(B, Lt)``, 1 = real token.

        Returns:
            dict: ``text_feats`` ``(B, Lt, C)`` and/or ``video_feats``
            ``(B, Lv, C)``; ``cls_token`` ``(B, C)`` is the first token of
            the text in joint/text mode and the visual CLS in video mode.
        """
        if imgs is None and input_ids is None:
            raise ValueError('Give imgs, input_ids, or both.')
        out = {}
        if imgs is not None and input_ids is not None:
            out['text_feats'], out['video_feats'] = self.forward_joint(
                imgs, input_ids, attention_mask)
            out['cls_token'] = out['text_feats'][:, 0]
        elif input_ids is not None:
            out['text_feats'] = self.forward_text(input_ids, attention_mask)
            out['cls_token'] = out['text_feats'][:, 0]
        else:
            out['video_feats'] = self.forward_video(imgs)
            out['cls_token'] = out['video_feats'][:, 0]
        return out

    def no_weight_decay_keys(self) -> Tuple[str, ...]:
        """Parameter names that should not be weight-decayed."""
        return ('pos_embed', 'cls_token', 'temporal_embed',
                'token_type_embeddings', 'position_embeddings')

    @property
    def num_patches(self) -> int:
        return math.prod(self.grid_size)
