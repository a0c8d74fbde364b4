"""Random state dicts in the authors' released layout."""
from collections import OrderedDict
from typing import Dict, Optional

import torch
from torch import Tensor


def release_state_dict(dims: int = 32,
                       depth: int = 2,
                       vocab: int = 120,
                       text_len: int = 12,
                       num_patches: int = 16,
                       num_frames: Optional[int] = 3,
                       dist_token: bool = False,
                       mlm: bool = True,
                       extra_heads: bool = False,
                       seed: int = 0,
                       std: float = 0.2) -> Dict[str, Tensor]:
    """Released-layout tensors (``num_frames=None``: no temporal_embed)."""
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape, mean=0.0):
        return torch.randn(*shape, generator=g) * std + mean

    sd = OrderedDict()
    sd['text_embeddings.position_ids'] = torch.arange(text_len)[None]
    sd['text_embeddings.word_embeddings.weight'] = rnd(vocab, dims)
    sd['text_embeddings.position_embeddings.weight'] = rnd(text_len, dims)
    sd['text_embeddings.token_type_embeddings.weight'] = rnd(2, dims)
    sd['text_embeddings.LayerNorm.weight'] = rnd(dims, mean=1.0)
    sd['text_embeddings.LayerNorm.bias'] = rnd(dims)
    sd['token_type_embeddings.weight'] = rnd(2, dims)
    extra = 2 if dist_token else 1
    sd['transformer.cls_token'] = rnd(1, 1, dims)
    if dist_token:
        sd['transformer.dist_token'] = rnd(1, 1, dims)
    sd['transformer.pos_embed'] = rnd(1, num_patches + extra, dims)
    if num_frames:
        sd['transformer.temporal_embed'] = rnd(1, num_frames, dims)
    sd['transformer.patch_embed.proj.weight'] = rnd(dims, 3, 16, 16) * 0.1
    sd['transformer.patch_embed.proj.bias'] = rnd(dims)
    for i in range(depth):
        p = f'transformer.blocks.{i}.'
        sd[p + 'norm1.weight'] = rnd(dims, mean=1.0)
        sd[p + 'norm1.bias'] = rnd(dims)
        sd[p + 'attn.qkv.weight'] = rnd(3 * dims, dims)
        sd[p + 'attn.qkv.bias'] = rnd(3 * dims)
        sd[p + 'attn.proj.weight'] = rnd(dims, dims)
        sd[p + 'attn.proj.bias'] = rnd(dims)
        sd[p + 'norm2.weight'] = rnd(dims, mean=1.0)
        sd[p + 'norm2.bias'] = rnd(dims)
        sd[p + 'mlp.fc1.weight'] = rnd(4 * dims, dims)
        sd[p + 'mlp.fc1.bias'] = rnd(4 * dims)
        sd[p + 'mlp.fc2.weight'] = rnd(dims, 4 * dims)
        sd[p + 'mlp.fc2.bias'] = rnd(dims)
    sd['transformer.norm.weight'] = rnd(dims, mean=1.0)
    sd['transformer.norm.bias'] = rnd(dims)
    sd['pooler.dense.weight'] = rnd(dims, dims)
    sd['pooler.dense.bias'] = rnd(dims)
    if mlm:
        sd['mlm_score.transform.dense.weight'] = rnd(dims, dims)
        sd['mlm_score.transform.dense.bias'] = rnd(dims)
        sd['mlm_score.transform.LayerNorm.weight'] = rnd(dims, mean=1.0)
        sd['mlm_score.transform.LayerNorm.bias'] = rnd(dims)
        sd['mlm_score.decoder.weight'] = rnd(vocab, dims)
        sd['mlm_score.bias'] = rnd(vocab)
    sd['itm_score.fc.weight'] = rnd(2, dims)
    sd['itm_score.fc.bias'] = rnd(2)
    if extra_heads:
        # the alias the authors save for MC / retrieval (a view of row 1)
        sd['rank_output.weight'] = sd['itm_score.fc.weight'][1:]
        sd['rank_output.bias'] = sd['itm_score.fc.bias'][1:]
        sd['txt_proj.weight'] = rnd(512, dims)
        sd['txt_proj.bias'] = rnd(512)
        sd['vid_proj.weight'] = rnd(512, dims)
        sd['vid_proj.bias'] = rnd(512)
        sd['vqa_classifier.1.weight'] = rnd(dims // 2, dims)
        sd['vqa_classifier.1.bias'] = rnd(dims // 2)
        sd['vqa_classifier.2.weight'] = rnd(dims // 2, mean=1.0)
        sd['vqa_classifier.2.bias'] = rnd(dims // 2)
        sd['vqa_classifier.4.weight'] = rnd(7, dims // 2)
        sd['vqa_classifier.4.bias'] = rnd(7)
        sd['vcop_classifier.fc7.weight'] = rnd(512, 2 * dims)
        sd['train_vqa_score.score'] = torch.tensor(0.)
    return sd
