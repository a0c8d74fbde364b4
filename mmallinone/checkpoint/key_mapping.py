"""Key mapping between the authors' released All-in-One checkpoints, timm /
mmpretrain ViTs and mmallinone models.

The tables below are the single source of truth; ``docs/checkpoints.md``
renders them. Our task models keep the attribute names ``backbone``,
``pooler``, ``vtm_head`` and ``mlm_head``, and the backbone keeps timm's and
HF BERT's names, so the mapping is a prefix rename plus a few rules.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch
from torch import Tensor

__all__ = [
    'RELEASE_TO_MMALLINONE', 'RELEASE_VIT_KEY', 'RELEASE_DROPPED',
    'ConversionReport', 'is_allinone_release', 'normalize_release_keys',
    'convert_allinone_to_mmallinone', 'convert_mmallinone_to_allinone',
    'detect_vit_layout', 'convert_vit_to_mmallinone'
]

#: Released prefix -> our prefix (first match wins). ``None`` drops the key.
#: Heads of downstream models are listed with the attribute names our task
#: models use; pass ``head_map`` to the converters to change them.
RELEASE_TO_MMALLINONE: Dict[str, Optional[str]] = OrderedDict([
    ('text_embeddings.', 'backbone.text_embeddings.'),
    ('token_type_embeddings.', 'backbone.token_type_embeddings.'),
    ('transformer.', 'backbone.'),
    ('pooler.', 'pooler.'),
    ('itm_score.', 'vtm_head.'),
    ('vtm_score.', 'vtm_head.'),  # co-training (All-in-One+) name
    ('mlm_score.', 'mlm_head.'),
    ('txt_proj.', 'text_proj.'),
    ('vid_proj.', 'video_proj.'),
    ('vqa_classifier.', 'vqa_head.classifier.'),
    ('mc_vqa_classifier.', 'score_head.classifier.'),
])

#: The ``transformer.*`` keys a released checkpoint may hold (timm ViT names).
RELEASE_VIT_KEY = re.compile(
    r'^(cls_token|pos_embed|dist_token|temporal_embed|'
    r'patch_embed\.proj\.(weight|bias)|'
    r'blocks\.\d+\.(norm1|attn\.qkv|attn\.proj|norm2|mlp\.fc1|mlp\.fc2)\.'
    r'(weight|bias)|norm\.(weight|bias))$')

#: Released keys that are dropped on purpose, with the reason.
RELEASE_DROPPED: List[Tuple[str, str]] = [
    (r'^text_embeddings\.(position_ids|token_type_ids)$',
     'HF constant buffer (transformers 4.2.1), not a weight'),
    (r'^rank_output(_2)?\.(weight|bias)$',
     'alias of row 1 of itm_score.fc; our models score with '
     'vtm_head(pooled)[..., 1] (folded into vtm_head.fc if it differs; '
     'rank_output_2, VCR QA->R, is the same memory: AllInOneVCR scores '
     'both VCR tasks with that row)'),
    (r'^(train|val|dev|test)_.*|^vcop_accuracy.*',
     'PyTorch-Lightning metric state'),
]

#: Our keys that exist only in mmallinone (not written to the released
#: layout).
OURS_ONLY = re.compile(r'^(data_preprocessor|wpa_loss)\.')


class ConversionReport:
    """What a conversion did: mapped, dropped, unmapped keys and notes."""

    def __init__(self) -> None:
        self.mapped: List[Tuple[str, str]] = []
        self.dropped: List[Tuple[str, str]] = []
        self.unmapped: List[str] = []
        self.notes: List[str] = []

    def summary(self) -> str:
        """A human-readable multi-line summary."""
        lines = [f'mapped {len(self.mapped)} keys']
        for key, why in self.dropped:
            lines.append(f'dropped {key}: {why}')
        for key in self.unmapped:
            lines.append(f'NOT MAPPED (left out) {key}')
        lines.extend(f'note: {n}' for n in self.notes)
        return '\n'.join(lines)


def _strip_wrappers(state_dict: dict) -> 'OrderedDict[str, Tensor]':
    """Strip ``module.``; map DINO ``student.`` -> ``transformer.``; drop
    ``teacher.`` (the co-training loader)."""
    out = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith('module.'):
            key = key[len('module.'):]
        if key.startswith('teacher.'):
            continue
        if key.startswith('student.'):
            key = 'transformer.' + key[len('student.'):]
        out[key] = value
    return out


def normalize_release_keys(checkpoint: dict) -> 'OrderedDict[str, Tensor]':
    """The released ``state_dict`` with wrapper prefixes removed."""
    state_dict = checkpoint.get('state_dict', checkpoint)
    return _strip_wrappers(state_dict)


def is_allinone_release(checkpoint: dict) -> bool:
    """Whether a loaded checkpoint is in the authors' released layout.

    Args:
        checkpoint (dict): A PyTorch-Lightning checkpoint (``state_dict``
            inside) or a bare state dict.
    """
    if not isinstance(checkpoint, dict):
        return False
    state_dict = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state_dict, dict):
        return False
    markers = ('transformer.patch_embed.proj.weight',
               'transformer.blocks.0.norm1.weight',
               'student.patch_embed.proj.weight')
    for key in state_dict:
        if not isinstance(key, str):
            return False
        key = key[len('module.'):] if key.startswith('module.') else key
        if key in markers:
            return True
    return False


def _map_release_key(key: str, prefixes: Dict[str, Optional[str]]
                     ) -> Tuple[Optional[str], bool]:
    """``(new key or None, matched)`` for one released key."""
    for src, dst in prefixes.items():
        if key.startswith(src):
            if dst is None:
                return None, True
            rest = key[len(src):]
            if src == 'transformer.' and not RELEASE_VIT_KEY.match(rest):
                return None, False
            return dst + rest, True
    return None, False


def convert_allinone_to_mmallinone(
        checkpoint: dict,
        head_map: Optional[Dict[str, Optional[str]]] = None
) -> Tuple['OrderedDict[str, Tensor]', ConversionReport]:
    """Map a released All-in-One state dict to mmallinone task-model keys.

    Args:
        checkpoint (dict): PL checkpoint or its ``state_dict``.
        head_map (dict, optional): Overrides/additions to
            :data:`RELEASE_TO_MMALLINONE` (``None`` value drops the prefix).

    Returns:
        tuple: ``(state_dict, report)``; ``state_dict`` keys are
        ``backbone.*``, ``pooler.*``, ``vtm_head.*``, ``mlm_head.*`` and the
        downstream heads'.
    """
    prefixes = OrderedDict(RELEASE_TO_MMALLINONE)
    if head_map:
        # user entries first so that they win over the defaults
        prefixes = OrderedDict(list(head_map.items()) + [
            (k, v) for k, v in prefixes.items() if k not in head_map])
    state_dict = normalize_release_keys(checkpoint)
    report = ConversionReport()
    out: 'OrderedDict[str, Tensor]' = OrderedDict()
    rank_rows = {}
    rank2_rows = {}
    for key, value in state_dict.items():
        reason = next((why for pattern, why in RELEASE_DROPPED
                       if re.match(pattern, key)), None)
        if reason is not None:
            report.dropped.append((key, reason))
            m = re.match(r'^rank_output(_2)?\.(weight|bias)$', key)
            if m:
                (rank2_rows if m.group(1) else rank_rows)[m.group(2)] = value
            continue
        new_key, matched = _map_release_key(key, prefixes)
        if new_key is None:
            if matched:
                report.dropped.append((key, 'dropped by head_map'))
            else:
                report.unmapped.append(key)
            continue
        out[new_key] = value
        report.mapped.append((key, new_key))

    # modality table of NLVR2 models has a third row (second image)
    key = 'backbone.token_type_embeddings.weight'
    if key in out and out[key].shape[0] > 2:
        report.notes.append(
            f'token_type_embeddings has {out[key].shape[0]} rows (NLVR2); '
            'rows 2+ (extra image types) were left out.')
        out[key] = out[key][:2].clone()
    if 'backbone.temporal_embed' not in out and 'backbone.pos_embed' in out:
        report.notes.append(
            'transformer.temporal_embed is absent (a release from between '
            'the 2022-03-21 and 2022-05-13 commits): the backbone sets it '
            'to zeros on loading, which is equivalent.')
    if 'backbone.dist_token' in out:
        report.notes.append(
            'distilled DeiT-S checkpoint: build the backbone with '
            'with_dist_token=True (pos_embed has P + 2 rows).')
    _fold_rank_output(out, rank_rows or rank2_rows, report)
    _check_rank_output_2(out, rank2_rows, report)
    return out, report


def _check_rank_output_2(out: dict, rank2_rows: Dict[str, Tensor],
                         report: ConversionReport) -> None:
    """Note a VCR ``rank_output_2`` that is not ``vtm_head.fc`` row 1.

    The authors' ``rank_output_2`` (QA->R) shares the memory of
    ``rank_output`` and ITM row 1, so in a released VCR checkpoint
    it equals ``vtm_head.fc`` row 1, which :class:`AllInOneVCR` uses for
    both Q->A and QA->R. A differing one (an edited checkpoint) cannot be
    represented by the tied scorer: it is reported, not used.
    """
    if not rank2_rows or 'vtm_head.fc.weight' not in out:
        return
    same = torch.equal(out['vtm_head.fc.weight'][1:],
                       rank2_rows['weight']) and (
        'bias' not in rank2_rows
        or torch.equal(out['vtm_head.fc.bias'][1:], rank2_rows['bias']))
    if not same:
        report.notes.append(
            'rank_output_2 differs from vtm_head.fc row 1 (the authors\' '
            'rank_output_2 is the same memory as rank_output): AllInOneVCR '
            'scores QA->R with vtm_head.fc row 1; rank_output_2 was not used.')


def _fold_rank_output(out: dict, rank_rows: Dict[str, Tensor],
                      report: ConversionReport) -> None:
    """Check ``rank_output`` against ``vtm_head.fc`` row 1."""
    if not rank_rows:
        return
    w_key, b_key = 'vtm_head.fc.weight', 'vtm_head.fc.bias'
    if w_key not in out:
        weight = rank_rows['weight']
        out[w_key] = torch.cat([torch.zeros_like(weight), weight])
        bias = rank_rows.get('bias', weight.new_zeros(1))
        out[b_key] = torch.cat([torch.zeros_like(bias), bias])
        report.notes.append(
            'no ITM head in the checkpoint: vtm_head.fc row 1 := rank_output, '
            'row 0 := zeros (only the match logit is meaningful).')
        return
    same = torch.equal(out[w_key][1:], rank_rows['weight']) and (
        'bias' not in rank_rows or torch.equal(out[b_key][1:],
                                               rank_rows['bias']))
    if not same:
        out[w_key] = out[w_key].clone()
        out[w_key][1:] = rank_rows['weight']
        if 'bias' in rank_rows:
            out[b_key] = out[b_key].clone()
            out[b_key][1:] = rank_rows['bias']
        report.notes.append(
            'rank_output differs from itm_score.fc row 1; vtm_head.fc row 1 '
            'now holds rank_output (the logit the MC/retrieval models use).')


def convert_mmallinone_to_allinone(
        state_dict: dict,
        head_map: Optional[Dict[str, Optional[str]]] = None,
        vtm_name: str = 'itm_score',
        with_rank_output: bool = False
) -> Tuple['OrderedDict[str, Tensor]', ConversionReport]:
    """Inverse of :func:`convert_allinone_to_mmallinone`.

    Args:
        state_dict (dict): Our task-model state dict (or a checkpoint with
            ``state_dict``).
        head_map (dict, optional): The same overrides given to the forward
            conversion.
        vtm_name (str): ``'itm_score'`` (AllInOne tree) or ``'vtm_score'``
            (co-training tree). Defaults to ``'itm_score'``.
        with_rank_output (bool): Also write ``rank_output`` as a *copy* of
            the VTM row 1, as the authors' MC/retrieval models hold it.

    Returns:
        tuple: ``(released state dict, report)``.
    """
    state_dict = state_dict.get('state_dict', state_dict)
    prefixes = OrderedDict(RELEASE_TO_MMALLINONE)
    if head_map:
        prefixes.update(head_map)
    inverse = OrderedDict()
    for src, dst in prefixes.items():
        if dst is None or src == 'vtm_score.':
            continue
        inverse[dst] = src
    inverse['vtm_head.'] = vtm_name + '.'
    # longest prefix first: 'backbone.text_embeddings.' before 'backbone.'
    order = sorted(inverse, key=len, reverse=True)
    report = ConversionReport()
    out: 'OrderedDict[str, Tensor]' = OrderedDict()
    for key, value in _strip_wrappers(state_dict).items():
        if OURS_ONLY.match(key):
            report.dropped.append((key, 'mmallinone-only module'))
            continue
        dst = next((p for p in order if key.startswith(p)), None)
        if dst is None:
            report.unmapped.append(key)
            continue
        new_key = inverse[dst] + key[len(dst):]
        if inverse[dst] == 'transformer.' and not RELEASE_VIT_KEY.match(
                key[len(dst):]):
            report.unmapped.append(key)
            continue
        out[new_key] = value
        report.mapped.append((key, new_key))
    if with_rank_output and f'{vtm_name}.fc.weight' in out:
        out['rank_output.weight'] = out[f'{vtm_name}.fc.weight'][1:].clone()
        out['rank_output.bias'] = out[f'{vtm_name}.fc.bias'][1:].clone()
    return out, report


# ---------------------------------------------------------------- ImageNet
#: mmpretrain ``VisionTransformer`` -> timm / our backbone names.
MMPRETRAIN_TO_TIMM = [
    (r'^patch_embed\.projection\.', 'patch_embed.proj.'),
    (r'^layers\.(\d+)\.ln1\.', r'blocks.\1.norm1.'),
    (r'^layers\.(\d+)\.attn\.qkv\.', r'blocks.\1.attn.qkv.'),
    (r'^layers\.(\d+)\.attn\.proj\.', r'blocks.\1.attn.proj.'),
    (r'^layers\.(\d+)\.ln2\.', r'blocks.\1.norm2.'),
    (r'^layers\.(\d+)\.ffn\.layers\.0\.0\.', r'blocks.\1.mlp.fc1.'),
    (r'^layers\.(\d+)\.ffn\.layers\.1\.', r'blocks.\1.mlp.fc2.'),
    (r'^ln1\.', 'norm.'),
    (r'^(cls_token|pos_embed|dist_token)$', r'\1'),
]


def detect_vit_layout(state_dict: dict) -> str:
    """``'timm'`` or ``'mmpretrain'`` from the key names."""
    keys = [k.split('backbone.', 1)[-1] for k in state_dict]
    if any(k.startswith(('layers.0.ln1', 'patch_embed.projection'))
           for k in keys):
        return 'mmpretrain'
    if any(k.startswith(('blocks.0.norm1', 'patch_embed.proj'))
           for k in keys):
        return 'timm'
    raise ValueError('Not a timm or mmpretrain ViT state dict (no '
                     'blocks.0.norm1 / layers.0.ln1 keys).')


def convert_vit_to_mmallinone(
        checkpoint: dict,
        prefix: str = 'backbone.'
) -> Tuple['OrderedDict[str, Tensor]', ConversionReport]:
    """Map a timm ViT/DeiT or mmpretrain ``VisionTransformer`` state dict.

    Only the visual encoder is initialised (patch embedding, CLS / DIST
    tokens, position table, blocks, final norm); classifier heads are
    dropped; text embeddings, modality table and temporal table keep their
    initialisation (the backbone sets an absent temporal table to zeros).

    Args:
        checkpoint (dict): State dict, or a checkpoint with ``state_dict`` /
            ``model`` (timm / DeiT release files) inside.
        prefix (str): Prefix of the output keys. Defaults to ``'backbone.'``
            (task-model layout); use ``''`` for a bare backbone.

    Returns:
        tuple: ``(state_dict, report)``.
    """
    for wrapper in ('state_dict', 'model'):
        if isinstance(checkpoint.get(wrapper), dict):
            checkpoint = checkpoint[wrapper]
            break
    state_dict = _strip_wrappers(checkpoint)
    layout = detect_vit_layout(state_dict)
    report = ConversionReport()
    report.notes.append(f'source layout: {layout}')
    out: 'OrderedDict[str, Tensor]' = OrderedDict()
    for key, value in state_dict.items():
        src = key
        if layout == 'mmpretrain':
            if key.startswith(('head.', 'neck.', 'data_preprocessor.')):
                report.dropped.append((key, 'classifier head'))
                continue
            key = key[len('backbone.'):] if key.startswith(
                'backbone.') else key
            new_key = None
            for pattern, repl in MMPRETRAIN_TO_TIMM:
                if re.match(pattern, key):
                    new_key = re.sub(pattern, repl, key)
                    break
        else:
            if key.startswith(('head.', 'head_dist.', 'pre_logits.',
                               'fc_norm.')):
                report.dropped.append((key, 'classifier head'))
                continue
            new_key = key if RELEASE_VIT_KEY.match(key) else None
        if new_key is None or not RELEASE_VIT_KEY.match(new_key):
            report.unmapped.append(src)
            continue
        out[prefix + new_key] = value
        report.mapped.append((src, prefix + new_key))
    return out, report
