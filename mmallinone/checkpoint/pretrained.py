"""Pretrained folders: a model's config, safetensors weights and model card.

A *pretrained folder* is what ``model.save_pretrained(dir)`` writes (see
:class:`mmallinone.models.tasks.hub_mixin.AllInOneHubMixin`, which builds
the model; this module is pure I/O) and what ``push_to_hub`` uploads to the
Hugging Face Hub:

- ``model.safetensors``: the weights (``safetensors`` format, no pickle);
- ``config.json``: the resolved config needed to rebuild and run the model
  (``model``, the test pipeline and test data settings), as JSON. Tuples are
  stored as ``{"__tuple__": [...]}`` so they come back as tuples (mmaction2
  transforms check ``isinstance(scale, tuple)``). JSON is read with
  :func:`json.load`, so loading a folder never executes code, unlike a
  Python config file;
- ``config.py``: the same config as an MMEngine Python config, for the
  tools (``tools/test.py DIR/config.py DIR``); it is never read when loading;
- ``README.md``: a generated model card.

This module also makes such folders usable wherever a checkpoint path is
accepted (``load_from``, ``tools/test.py``, ``init_model``):

- a folder (or a ``.safetensors`` file) is read with
  :func:`safetensors.torch.load_file`; nothing is unpickled;
- ``hf://owner/name`` (optionally ``hf://owner/name@revision``) downloads
  ``model.safetensors`` of a Hub repository with ``huggingface_hub`` (cached,
  so it works offline once downloaded) and loads it the same way.
"""
import json
import os
import os.path as osp
import re
from typing import Any, Optional, Tuple, Union

import torch

__all__ = [
    'WEIGHTS_NAME', 'CONFIG_NAME', 'HUB_PREFIX', 'encode_config',
    'decode_config', 'is_pretrained_dir', 'is_pretrained_ref',
    'load_safetensors_checkpoint', 'load_from_hub', 'resolve_pretrained',
    'read_pretrained_config', 'register_pretrained_loader',
    'save_state_dict'
]

#: Weight file of a pretrained folder (huggingface_hub's single-file name).
WEIGHTS_NAME = 'model.safetensors'
#: Config file of a pretrained folder (read by huggingface_hub's mixin).
CONFIG_NAME = 'config.json'
#: Prefix of a Hub repository in ``load_from`` / checkpoint arguments.
HUB_PREFIX = 'hf://'
_TUPLE = '__tuple__'
_REPO_ID = re.compile(r'^[A-Za-z0-9][\w.-]*/[\w.-]+$')


# ------------------------------------------------------------------ config
def encode_config(obj: Any, path: str = 'config') -> Any:
    """A config (dicts, lists, tuples, scalars) as plain JSON values.

    Raises:
        TypeError: For a value JSON cannot hold (a class, a function, a
            tensor), naming where it is.
    """
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f'{path}: key {key!r} is not a str; a '
                                'pretrained config must be JSON')
            out[key] = encode_config(value, f'{path}.{key}')
        return out
    if isinstance(obj, tuple):
        return {_TUPLE: [encode_config(v, f'{path}[{i}]')
                         for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [encode_config(v, f'{path}[{i}]') for i, v in enumerate(obj)]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f'{path} is a {type(obj).__name__}, which a JSON '
                    'pretrained config cannot hold; use registry names '
                    '(type=\'...\') and plain values in the config')


def decode_config(obj: Any) -> Any:
    """Inverse of :func:`encode_config`."""
    if isinstance(obj, dict):
        if set(obj) == {_TUPLE}:
            return tuple(decode_config(v) for v in obj[_TUPLE])
        return {k: decode_config(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [decode_config(v) for v in obj]
    return obj


# -------------------------------------------------------------- references
def is_pretrained_dir(path: Union[str, os.PathLike]) -> bool:
    """Whether ``path`` is a folder holding ``model.safetensors``."""
    return osp.isfile(osp.join(os.fspath(path), WEIGHTS_NAME))


def is_pretrained_ref(ref: Union[str, os.PathLike]) -> bool:
    """A pretrained folder or an ``hf://`` Hub reference."""
    ref = os.fspath(ref)
    return ref.startswith(HUB_PREFIX) or is_pretrained_dir(ref)


def _split_hub_ref(ref: str) -> Tuple[str, Optional[str]]:
    """``hf://owner/name@rev`` (or ``owner/name``) -> repo id, revision."""
    if ref.startswith(HUB_PREFIX):
        ref = ref[len(HUB_PREFIX):]
    repo_id, _, revision = ref.partition('@')
    repo_id = repo_id.strip('/')
    if not _REPO_ID.match(repo_id):
        raise ValueError(f'"{ref}" is not a Hub repository id (expected '
                         'owner/name, optionally @revision)')
    return repo_id, revision or None


def resolve_pretrained(ref: Union[str, os.PathLike],
                       filename: str = WEIGHTS_NAME,
                       revision: Optional[str] = None,
                       **hub_kwargs) -> str:
    """Local path of ``filename`` of a pretrained folder or Hub repository.

    Args:
        ref (str | Path): A folder, ``hf://owner/name[@rev]`` or
            ``owner/name``.
        filename (str): ``model.safetensors`` or ``config.json``.
        revision (str, optional): Hub revision (overrides ``@rev``).
        **hub_kwargs: ``cache_dir``, ``force_download``, ``token``,
            ``local_files_only`` of :func:`huggingface_hub.hf_hub_download`.

    Raises:
        FileNotFoundError: A folder without ``filename``.
    """
    ref = os.fspath(ref)
    if osp.isdir(ref):
        path = osp.join(ref, filename)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'"{ref}" is not a pretrained folder: it has no {filename} '
                '(write one with model.save_pretrained(dir))')
        return path
    repo_id, rev = _split_hub_ref(ref)
    from huggingface_hub import hf_hub_download
    return hf_hub_download(
        repo_id=repo_id, filename=filename, revision=revision or rev,
        **hub_kwargs)


def read_pretrained_config(ref: Union[str, os.PathLike],
                           **hub_kwargs) -> dict:
    """The decoded ``config.json`` of a pretrained folder / Hub repository."""
    with open(resolve_pretrained(ref, CONFIG_NAME, **hub_kwargs),
              encoding='utf-8') as f:
        return decode_config(json.load(f))


# ------------------------------------------------------------------ loading
def _device_of(map_location: Any) -> str:
    """A device string for safetensors (callables / None map to CPU)."""
    if isinstance(map_location, torch.device):
        return str(map_location)
    if isinstance(map_location, str):
        return map_location
    return 'cpu'


def load_safetensors_checkpoint(filename: str,
                                map_location: Any = None) -> Optional[dict]:
    """``{'state_dict': ...}`` of a ``.safetensors`` file or folder, or None.

    Returns None when ``filename`` is neither (the caller then loads it as
    a pickled checkpoint). Uses :func:`safetensors.torch.load_file` only,
    which reads tensors and never unpickles.
    """
    filename = osp.expanduser(os.fspath(filename))
    if osp.isdir(filename):
        filename = resolve_pretrained(filename)
    elif not filename.endswith('.safetensors'):
        return None
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    from safetensors.torch import load_file
    return dict(state_dict=load_file(filename,
                                     device=_device_of(map_location)))


def load_from_hub(filename: str, map_location: Any = None) -> dict:
    """MMEngine checkpoint loader of ``hf://owner/name[@revision]``."""
    return load_safetensors_checkpoint(
        resolve_pretrained(filename), map_location)


def register_pretrained_loader() -> None:
    """Register :func:`load_from_hub` for ``hf://`` in MMEngine. Idempotent.
    """
    from mmengine.runner import CheckpointLoader
    CheckpointLoader.register_scheme(
        prefixes=HUB_PREFIX, loader=load_from_hub, force=True)


def save_state_dict(state_dict: dict, filename: str,
                    meta: Optional[dict] = None) -> None:
    """Save converted weights as ``.safetensors`` or a ``.pth`` (by suffix).

    A ``.safetensors`` file gets the tensors (shared storage is copied,
    which safetensors requires) and ``meta`` as JSON in its string
    metadata; any other suffix gets ``torch.save({'state_dict', 'meta'})``.
    """
    os.makedirs(osp.dirname(osp.abspath(filename)), exist_ok=True)
    if filename.endswith('.safetensors'):
        from safetensors.torch import save_file
        tensors = {k: v.detach().contiguous().clone()
                   for k, v in state_dict.items()}
        save_file(tensors, filename, metadata=dict(
            format='pt', meta=json.dumps(meta or {}, default=str)))
    else:
        torch.save(dict(state_dict=state_dict, meta=meta or {}), filename)
