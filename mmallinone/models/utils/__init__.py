"""Checkpoint interoperability: key mapping, conversion, inflation and
weights-only loading of the authors' PyTorch-Lightning checkpoints."""
from .inflation import (inflate_pos_embed, inflate_temporal_embed,
                        inflate_text_pos_embed)
from .key_mapping import (RELEASE_DROPPED, RELEASE_TO_MMALLINONE,
                          RELEASE_VIT_KEY, ConversionReport,
                          convert_allinone_to_mmallinone,
                          convert_mmallinone_to_allinone,
                          convert_vit_to_mmallinone, detect_vit_layout,
                          is_allinone_release, normalize_release_keys)
from .lightning_io import (LIGHTNING_NAMESPACES, load_lightning_checkpoint,
                           release_hparams, to_plain)
from .release import (convert_release_checkpoint, load_allinone_release,
                      maybe_convert_release, suggest_backbone_cfg)

__all__ = [
    'inflate_pos_embed', 'inflate_temporal_embed', 'inflate_text_pos_embed',
    'RELEASE_DROPPED', 'RELEASE_TO_MMALLINONE', 'RELEASE_VIT_KEY',
    'ConversionReport', 'convert_allinone_to_mmallinone',
    'convert_mmallinone_to_allinone', 'convert_vit_to_mmallinone',
    'detect_vit_layout', 'is_allinone_release', 'normalize_release_keys',
    'LIGHTNING_NAMESPACES', 'load_lightning_checkpoint', 'release_hparams',
    'to_plain', 'load_allinone_release', 'suggest_backbone_cfg',
    'convert_release_checkpoint', 'maybe_convert_release'
]
