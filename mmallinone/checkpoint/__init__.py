"""Checkpoint I/O: safe loading, key mapping, release conversion, pretrained
folders and fitting embedding tables.

One concept per module:

- :mod:`.loading`: MMEngine's local loader replaced by a weights-only one
  with an allow-list; full unpickling only on explicit trust;
- :mod:`.lightning_io`: weights-only loading of PyTorch-Lightning ``.ckpt``
  files with inert stand-ins;
- :mod:`.key_mapping`: the key tables between the authors' releases, timm /
  mmpretrain ViTs and mmallinone models;
- :mod:`.release`: a loaded release converted to mmallinone layout;
- :mod:`.pretrained`: pretrained folders (safetensors + JSON config) and
  ``hf://`` references;
- :mod:`.inflation` and :mod:`.backbone_fitting`: fitting a checkpoint's
  position / temporal / text tables to a backbone on loading. They use the
  backbone's embedding resizers, so they import :mod:`mmallinone.models` and
  are not imported here; import them from their modules.

Importing this package (``import mmallinone`` does) registers
:func:`load_from_local_safe` as MMEngine's local checkpoint loader and
:func:`load_from_hub` for ``hf://``.
"""
from .key_mapping import (RELEASE_DROPPED, RELEASE_TO_MMALLINONE,
                          RELEASE_VIT_KEY, ConversionReport,
                          convert_allinone_to_mmallinone,
                          convert_mmallinone_to_allinone,
                          convert_vit_to_mmallinone, detect_vit_layout,
                          is_allinone_release, normalize_release_keys)
from .lightning_io import (LIGHTNING_NAMESPACES, load_lightning_checkpoint,
                           release_hparams, to_plain)
from .loading import (MMENGINE_SAFE_GLOBALS, TRUST_ENV_VAR,
                      CorruptCheckpointError, UntrustedCheckpointError,
                      is_trusted_checkpoint, load_from_local_safe,
                      register_checkpoint_loader, trusted_checkpoints)
from .pretrained import (CONFIG_NAME, HUB_PREFIX, WEIGHTS_NAME, decode_config,
                         encode_config, is_pretrained_dir, is_pretrained_ref,
                         load_from_hub, load_safetensors_checkpoint,
                         read_pretrained_config, register_pretrained_loader,
                         resolve_pretrained, save_state_dict)
from .release import (convert_release_checkpoint, load_allinone_release,
                      maybe_convert_release, suggest_backbone_cfg)

register_checkpoint_loader()
register_pretrained_loader()  # hf://owner/name in load_from

__all__ = [
    'MMENGINE_SAFE_GLOBALS', 'TRUST_ENV_VAR', 'CorruptCheckpointError',
    'UntrustedCheckpointError', 'is_trusted_checkpoint',
    'load_from_local_safe', 'register_checkpoint_loader',
    'trusted_checkpoints', 'LIGHTNING_NAMESPACES', 'load_lightning_checkpoint',
    'release_hparams', 'to_plain', 'RELEASE_DROPPED', 'RELEASE_TO_MMALLINONE',
    'RELEASE_VIT_KEY', 'ConversionReport', 'convert_allinone_to_mmallinone',
    'convert_mmallinone_to_allinone', 'convert_vit_to_mmallinone',
    'detect_vit_layout', 'is_allinone_release', 'normalize_release_keys',
    'convert_release_checkpoint', 'load_allinone_release',
    'maybe_convert_release', 'suggest_backbone_cfg', 'CONFIG_NAME',
    'HUB_PREFIX', 'WEIGHTS_NAME', 'decode_config', 'encode_config',
    'is_pretrained_dir', 'is_pretrained_ref', 'load_from_hub',
    'load_safetensors_checkpoint', 'read_pretrained_config',
    'register_pretrained_loader', 'resolve_pretrained', 'save_state_dict'
]
