"""``save_pretrained`` / ``from_pretrained`` / ``push_to_hub`` of task models.

Built on :class:`huggingface_hub.PyTorchModelHubMixin`: the mixin brings
``push_to_hub`` and the Hub download logic; this class decides what a folder
holds (see :mod:`mmallinone.checkpoint.pretrained`): the resolved config
(model, test pipeline and test data settings) as JSON, the weights as
safetensors, a Python copy of the config for the tools, and a model card
generated from the config and the config's ``metafile.yml`` entry.
"""
import copy
import glob
import os.path as osp
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from huggingface_hub import ModelCard, PyTorchModelHubMixin

from mmallinone.checkpoint.pretrained import (CONFIG_NAME, WEIGHTS_NAME,
                                              decode_config, encode_config,
                                              resolve_pretrained)

__all__ = ['AllInOneHubMixin', 'find_metafile_entry']

PAPER_URL = 'https://arxiv.org/abs/2203.07303'

#: Top-level config keys kept in a pretrained folder (inference + test).
KEPT_KEYS = ('default_scope', 'model', 'test_pipeline', 'test_dataloader',
             'test_evaluator', 'test_cfg', 'tokenizer', 'retrieval_index')

MODEL_CARD_TEMPLATE = """---
{{ card_data }}
---

# {{ title }}

An All-in-One video-language Transformer
([Wang et al., 2022]({{ paper_url }})) saved with
mmallinone's `save_pretrained`: one Transformer
reads raw video frames and text together; time is modelled by temporal
token rolling.

| | |
|---|---|
| task model | `{{ model_type }}` |
| architecture | {{ architecture }} |
| frames | {{ frames }} |
| resolution | {{ resolution }} |
| training data | {{ data }} |
| parameters | {{ parameters }} |
| config | `{{ config_name }}` |

## Metrics

{{ metrics }}

## Files

- `model.safetensors`: the weights (safetensors: loading never unpickles).
- `config.json`: model, test pipeline and test data settings (read when
  loading; JSON, so loading never executes code).
- `config.py`: the same config for the tools (not read when loading).

## Use

```python
from mmallinone.models import {{ model_type }}
model = {{ model_type }}.from_pretrained('{{ repo_id }}')

from mmallinone.apis import encode_texts, encode_videos
video_embeds = encode_videos(model, ['video.mp4'])
text_embeds = encode_texts(model, ['a person cooks'])
```

As the starting point of training: `load_from='{{ load_from }}'` in a
config (or `--cfg-options load_from={{ load_from }}`).
"""


def _metafile_paths() -> List[str]:
    """``metafile.yml`` files of the configs shipped with the package."""
    root = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    pkg = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    paths = []
    # wheel installs ship the configs inside the package; a clone has them
    # at the repository root
    for base in (osp.join(pkg, '.mim', 'configs'), osp.join(pkg, 'configs'),
                 osp.join(root, 'configs')):
        paths += sorted(glob.glob(osp.join(base, '*', 'metafile.yml')))
    return paths


def find_metafile_entry(config_name: Optional[str]) -> Optional[dict]:
    """The ``Models`` entry of a config name (``retrieval_ti_demo``)."""
    if not config_name:
        return None
    import yaml
    for path in _metafile_paths():
        with open(path, encoding='utf-8') as f:
            meta = yaml.safe_load(f) or {}
        for entry in meta.get('Models', []):
            if entry.get('Name') == config_name:
                return entry
    return None


def _fmt_list(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ', '.join(str(v) for v in value)
    return str(value)


def _metrics_table(entry: Optional[dict]) -> str:
    results = (entry or {}).get('Results') or []
    if not results:
        return ('No results are recorded for this config in its '
                'metafile.yml.')
    lines = ['| dataset | task | metric | value |', '|---|---|---|---|']
    for result in results:
        for name, value in (result.get('Metrics') or {}).items():
            lines.append(f'| {result.get("Dataset", "")} | '
                         f'{result.get("Task", "")} | {name} | {value} |')
    return '\n'.join(lines)


def _frames_and_size(cfg: dict) -> tuple:
    """Frames ``S`` (x test views) and input size from pipeline / backbone."""
    backbone = cfg.get('model', {}).get('backbone', {})
    frames, views, size = backbone.get('num_frames'), 1, None
    pipeline = cfg.get('test_pipeline') or (
        cfg.get('test_dataloader') or {}).get('dataset', {}).get('pipeline')
    for t in pipeline or []:
        kind = str(t.get('type', '')).split('.')[-1]
        if kind in ('UniformSample', 'SampleFrames') and 'clip_len' in t:
            frames = t['clip_len']
            views = t.get('num_clips', 1) or 1
        elif kind == 'CenterCrop' and 'crop_size' in t:
            size = t['crop_size']
    if size is None:
        size = backbone.get('img_size', 224)
    size = size if isinstance(size, (list, tuple)) else (size, size)
    frames_txt = f'{frames}' + (f' per view, {views} test views'
                                if views > 1 else '')
    return frames_txt, f'{size[0]}x{size[1]}'


class AllInOneHubMixin(
        PyTorchModelHubMixin,
        library_name='mmallinone',
        paper_url=PAPER_URL,
        tags=['video-text', 'all-in-one', 'mmallinone'],
        model_card_template=MODEL_CARD_TEMPLATE):
    """Hub folders for task models (mixed into ``AllInOneBaseModel``).

    ``save_pretrained(dir)`` writes ``model.safetensors``, ``config.json``,
    ``config.py`` and ``README.md``; ``from_pretrained(dir_or_repo_id)``
    rebuilds the model from ``config.json`` with the registry, loads the
    weights strictly and attaches the inference helpers of
    :func:`mmallinone.apis.init_model` (when the config has a test
    pipeline), so the :mod:`mmallinone.apis` functions take it directly.
    ``push_to_hub(repo_id)`` is the mixin's.
    """

    # ----------------------------------------------------------------- save
    def pretrained_config(self, cfg: Optional[Any] = None) -> dict:
        """The config dict stored in a folder.

        Args:
            cfg (Config | dict, optional): The full config the model was
                built from; defaults to ``self.cfg`` (set by ``init_model``
                / ``from_pretrained``). Without either, only ``model`` is
                stored (the constructor arguments captured by the mixin).
        """
        cfg = cfg if cfg is not None else getattr(self, 'cfg', None)
        if cfg is not None:
            full = cfg.to_dict() if hasattr(cfg, 'to_dict') else dict(cfg)
            out = {k: copy.deepcopy(full[k]) for k in KEPT_KEYS
                   if full.get(k) is not None}
            name = full.get('config_name') or (
                osp.splitext(osp.basename(cfg.filename))[0]
                if getattr(cfg, 'filename', None) else None)
        else:
            args = dict(self._hub_mixin_config or {})
            out = dict(model=dict(type=type(self).__name__, **args))
            name = None
        if 'model' not in out:
            raise KeyError('The config has no "model" entry.')
        out['model'].pop('init_cfg', None)  # weights come from the folder
        if name:
            out['config_name'] = name
        return out

    def save_pretrained(self,
                        save_directory: Union[str, Path],
                        *,
                        cfg: Optional[Any] = None,
                        config: Optional[dict] = None,
                        repo_id: Optional[str] = None,
                        push_to_hub: bool = False,
                        model_card_kwargs: Optional[dict] = None,
                        **push_to_hub_kwargs) -> Optional[str]:
        """Write a pretrained folder (and push it when ``push_to_hub``).

        Args:
            save_directory (str | Path): Output folder.
            cfg (Config | dict, optional): Full config (see
                :meth:`pretrained_config`).
            config (dict, optional): An already built pretrained config
                (``cfg`` is then ignored).
            repo_id, push_to_hub, model_card_kwargs, **push_to_hub_kwargs:
                As :meth:`huggingface_hub.ModelHubMixin.save_pretrained`.
        """
        if config is None:
            config = self.pretrained_config(cfg)
        self._pretrained_cfg = decode_config(encode_config(config))
        card = dict(self._card_fields(self._pretrained_cfg, repo_id))
        card.update(model_card_kwargs or {})
        return super().save_pretrained(
            save_directory,
            config=encode_config(config),
            repo_id=repo_id,
            push_to_hub=push_to_hub,
            model_card_kwargs=card,
            **push_to_hub_kwargs)

    def _save_pretrained(self, save_directory: Path) -> None:
        """``model.safetensors`` (the mixin's) and a ``config.py`` copy."""
        super()._save_pretrained(save_directory)
        from mmengine.config import Config
        cfg = dict(getattr(self, '_pretrained_cfg', None) or {})
        if cfg:
            Config(cfg).dump(str(save_directory / 'config.py'))

    def _card_fields(self, cfg: dict, repo_id: Optional[str]) -> Dict:
        model_cfg = cfg.get('model', {})
        backbone = model_cfg.get('backbone', {})
        entry = find_metafile_entry(cfg.get('config_name'))
        meta = (entry or {}).get('Metadata', {})
        arch = meta.get('Architecture') or f'arch {backbone.get("arch")!r}'
        details = [arch]
        if hasattr(self, 'backbone'):
            bb = self.backbone
            details.append(f'width {bb.embed_dims}, {bb.num_layers} blocks, '
                           f'patch {bb.patch_size}, temporal mode '
                           f'{bb.temporal_mode!r}')
        frames, resolution = _frames_and_size(cfg)
        ref = repo_id or 'PATH/TO/FOLDER'
        return dict(
            title=cfg.get('config_name') or type(self).__name__,
            model_type=type(self).__name__,
            architecture='; '.join(details),
            frames=frames,
            resolution=resolution,
            data=_fmt_list(meta.get('Training Data', 'not recorded')),
            parameters=f'{sum(p.numel() for p in self.parameters()):,}',
            config_name=cfg.get('config_name') or 'not recorded',
            metrics=_metrics_table(entry),
            repo_id=ref,
            load_from=f'hf://{ref}' if repo_id else ref)

    def generate_model_card(self, *args, **kwargs) -> ModelCard:
        """The mixin's card with this class's template and fields."""
        kwargs.setdefault('paper_url', PAPER_URL)
        card = ModelCard.from_template(
            card_data=self._hub_mixin_info.model_card_data,
            template_str=self._hub_mixin_info.model_card_template,
            **kwargs)
        return card

    # ----------------------------------------------------------------- load
    @classmethod
    def _from_pretrained(cls,
                         *,
                         model_id: str,
                         revision: Optional[str],
                         cache_dir: Optional[Union[str, Path]],
                         force_download: bool,
                         local_files_only: bool,
                         token: Optional[Union[str, bool]],
                         map_location: str = 'cpu',
                         strict: bool = True,
                         config: Optional[dict] = None,
                         cfg_options: Optional[dict] = None,
                         **model_kwargs):
        """Build from ``config.json`` and load ``model.safetensors``.

        Args:
            map_location (str): Device. Defaults to ``'cpu'``.
            strict (bool): Every key must match. Defaults to True.
            cfg_options (dict, optional): Overrides merged into the stored
                config (``{'model.backbone.num_frames': 8}``).
        """
        from mmengine.config import Config
        from safetensors.torch import load_model
        if model_kwargs:
            raise TypeError(f'Unknown from_pretrained arguments '
                            f'{sorted(model_kwargs)}; change the model with '
                            'cfg_options={"model.<key>": value}')
        hub = dict(revision=revision, cache_dir=cache_dir,
                   force_download=force_download, token=token,
                   local_files_only=local_files_only)
        if osp.isdir(model_id):
            hub = {}
        if config is None:
            raise FileNotFoundError(
                f'"{model_id}" has no readable {CONFIG_NAME}; a pretrained '
                'folder is written by model.save_pretrained(dir)')
        weights = resolve_pretrained(model_id, WEIGHTS_NAME, **hub)
        cfg = Config(decode_config(config))
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        model = _build(cfg)
        if not isinstance(model, cls):
            raise TypeError(f'"{model_id}" holds a {type(model).__name__}, '
                            f'not a {cls.__name__}; load it with '
                            f'{type(model).__name__}.from_pretrained or '
                            'AllInOneBaseModel.from_pretrained')
        load_model(model, weights, strict=strict, device=str(map_location))
        model.to(map_location)
        model.eval()
        return model


def _build(cfg) -> Any:
    """The model of ``cfg`` (with ``init_model``'s helpers when it can)."""
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmallinone'))
    import mmallinone.datasets  # noqa: F401  (register the transforms)
    from mmallinone.registry import MODELS
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.cfg = cfg
    try:
        from mmallinone.apis.inference import InferenceData
        model.inference_data = InferenceData(cfg, model.backbone.max_text_len)
        model.answer_vocab = model.inference_data.answer_vocab
    except KeyError:  # no test pipeline stored: weights and model only
        model.inference_data = None
    return model
