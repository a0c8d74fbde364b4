"""Choose MMEngine's ``Runner`` or ``FlexibleRunner`` from the config.

A config with a ``strategy`` dict (``DDPStrategy``, ``FSDPStrategy``,
``DeepSpeedStrategy``, see ``configs/allinone/*_fsdp.py`` /
``*_deepspeed.py`` and ``docs/distributed.md``) is run by MMEngine 0.10.7's
``FlexibleRunner``; any other config by ``Runner`` (or ``runner_type``).

On a machine without CUDA, :func:`setup_flexible_runtime` does for strategy
configs what :func:`~mmallinone.utils.setup_runtime` does for ``Runner``
configs (README's dependency trap 7): gloo process group initialised here (the
strategies call ``init_dist`` only when none exists), CPU wrappers
(``device_ids=None`` for DDP) and the float32 optimizer wrapper instead of
CUDA-only AMP. FSDP and DeepSpeed need CUDA (torch 2.14's FSDP raises
'FSDP needs a non-CPU accelerator device' on CPU; DeepSpeed also needs the
``deepspeed`` package): both are refused up front with a clear error.
"""
import importlib.util
import logging
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional, Sequence, Union

from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmallinone.registry import RUNNERS
from .dist import LAUNCHERS, _amp_to_cpu, cuda_available, init_cpu_dist

__all__ = [
    'uses_flexible_runner', 'setup_flexible_runtime', 'build_runner',
    'set_default_optim_constructor', 'resolve_auto_resume',
    'checkpoint_problem', 'check_model_data_agreement'
]

_CKPT_NAME = re.compile(r'^(?:iter|epoch)_(\d+)\.pth$')


def uses_flexible_runner(cfg: Config) -> bool:
    """Whether ``cfg`` asks for a ``FlexibleRunner`` strategy."""
    return bool(cfg.get('strategy'))


def _strategy_name(strategy: dict) -> str:
    name = strategy.get('type', '')
    name = name if isinstance(name, str) else name.__name__
    return name.split('.')[-1]


def setup_flexible_runtime(cfg: Config, launcher: str = 'none') -> Config:
    """Adapt a ``strategy`` config to the hardware (see module docstring).

    Args:
        cfg (Config): The full config with ``strategy``; modified in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Returns:
        Config: ``cfg``.

    Raises:
        RuntimeError: DeepSpeed without CUDA or without the package.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, '
                         f'got {launcher!r}')
    cfg.launcher = launcher
    strategy = cfg.strategy
    name = _strategy_name(strategy)
    if name == 'DeepSpeedStrategy':
        if importlib.util.find_spec('deepspeed') is None:
            raise RuntimeError(
                'The config uses DeepSpeedStrategy but `deepspeed` is not '
                'installed: `pip install deepspeed` (see '
                'docs/distributed.md).')
        if not cuda_available():
            raise RuntimeError(
                'DeepSpeedStrategy needs CUDA GPUs (DeepSpeed ZeRO has no CPU '
                'training path in MMEngine 0.10.7); use the DDP config on '
                'CPU.')
    if cuda_available():
        return cfg
    if name == 'FSDPStrategy' and launcher != 'none':
        # Measured with torch 2.14.1: MMFullyShardedDataParallel (FSDP1)
        # raises 'FSDP needs a non-CPU accelerator device' even with
        # device_id=None and gloo.
        raise RuntimeError(
            'FSDPStrategy needs CUDA GPUs: PyTorch 2.14 FSDP refuses CPU-only '
            'processes ("FSDP needs a non-CPU accelerator device"). Use the '
            'DDP config on CPU (docs/distributed.md).')
    _amp_to_cpu(cfg)
    if launcher == 'none':
        return cfg
    env_cfg = cfg.get('env_cfg') or ConfigDict()
    dist_cfg = env_cfg.get('dist_cfg') or ConfigDict()
    dist_cfg['backend'] = 'gloo'
    env_cfg['dist_cfg'] = dist_cfg
    cfg.env_cfg = env_cfg
    wrapper = strategy.get('model_wrapper') or ConfigDict()
    if name == 'FSDPStrategy':
        wrapper.setdefault('type', 'MMFullyShardedDataParallel')
        wrapper.setdefault('device_id', None)
    elif name == 'DDPStrategy':
        wrapper.setdefault('type', 'MMDistributedDataParallel')
        wrapper.setdefault('device_ids', None)
    strategy['model_wrapper'] = wrapper
    print_log(
        f'CUDA is not available: {name} on CPU with gloo '
        f'(model wrapper {dict(wrapper)}).',
        logger='current',
        level=logging.WARNING)
    init_cpu_dist(launcher, **dist_cfg)
    return cfg


def set_default_optim_constructor(cfg: Config) -> Config:
    """Set ``optim_wrapper.constructor`` to
    ``'mmallinone.SummaryOptimWrapperConstructor'`` unless the config names
    one (see :func:`build_runner`). The scope prefix finds it from configs
    whose default scope is another toolbox's (mmaction2 recognizers)."""
    optim_wrapper = cfg.get('optim_wrapper')
    if isinstance(optim_wrapper, dict) and 'optimizer' in optim_wrapper:
        optim_wrapper.setdefault('constructor',
                                 'mmallinone.SummaryOptimWrapperConstructor')
    return cfg


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is no intact checkpoint, or None if it is.

    Checks existence, size and the zip container that ``torch.save`` writes
    (every member's CRC), without unpickling anything.
    """
    if not osp.isfile(path):
        return 'the file is missing'
    if osp.getsize(path) == 0:
        return 'the file is empty'
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return f'truncated or corrupt ({error})'
    if bad is not None:
        return f'corrupt (bad CRC in {bad})'
    return None


def _work_dir_checkpoints(work_dir: str) -> List[str]:
    """``last_checkpoint``'s file, then ``iter_*/epoch_*.pth`` newest
    first (by number, then modification time)."""
    found = []
    marker = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(marker):
        with open(marker) as f:
            named = f.read().strip()
        if named:
            if not osp.isabs(named) and not osp.exists(named):
                named = osp.join(work_dir, osp.basename(named))
            found.append(named)
    if osp.isdir(work_dir):
        numbered = []
        for name in os.listdir(work_dir):
            match = _CKPT_NAME.match(name)
            if match:
                path = osp.join(work_dir, name)
                numbered.append((int(match.group(1)), osp.getmtime(path),
                                 path))
        for _, _, path in sorted(numbered, reverse=True):
            if all(not osp.exists(p) or not osp.samefile(p, path)
                   for p in found):
                found.append(path)
    return found


def resolve_auto_resume(cfg: Config) -> List[str]:
    """Pick the checkpoint of ``--resume`` (auto) before the runner.

    With ``resume=True`` and no ``load_from``, MMEngine resumes from the file
    that ``last_checkpoint`` names, failing on a truncated file and silently
    starting from scratch without one. Here the newest *intact* checkpoint
    of the work dir (:func:`checkpoint_problem`) is set as ``load_from``;
    each newer one that is skipped gets a warning naming it and why. With no
    checkpoint at all (an empty or mistyped work dir) training starts from
    scratch with a loud warning; if checkpoints exist but none is intact
    that is an error.

    Args:
        cfg (Config): The config; ``load_from`` / ``resume`` are set.

    Returns:
        list[str]: Warnings to log once the runner (and its log file)
        exists.

    Raises:
        RuntimeError: Checkpoints exist but none can be read.
    """
    if not cfg.get('resume') or cfg.get('load_from'):
        return []
    work_dir = cfg.get('work_dir') or '.'
    warnings = []
    candidates = _work_dir_checkpoints(work_dir)
    for path in candidates:
        problem = checkpoint_problem(path)
        if problem is None:
            cfg.load_from = path
            if warnings:
                warnings.append(f'--resume: falling back to "{path}", the '
                                'newest intact checkpoint.')
            return warnings
        warnings.append(f'--resume: skipping checkpoint "{path}": '
                        f'{problem}.')
    if candidates:
        raise RuntimeError(
            f'--resume: no checkpoint in "{work_dir}" can be read: '
            + ' '.join(warnings) + ' Remove the broken files to start from '
            'scratch, or give a checkpoint with --resume PATH.')
    where = ('does not exist (mistyped?)' if not osp.isdir(work_dir) else
             'holds no checkpoint')
    cfg.resume = False
    bar = '!' * 72
    return [f'\n{bar}\n--resume: the work dir "{osp.abspath(work_dir)}" '
            f'{where}: TRAINING STARTS FROM SCRATCH (iteration 0).\n{bar}']


def _transforms(obj, where: str):
    """``(where, transform dict)`` of every transform nested in ``obj``
    (dataloaders, dataset wrappers, pipelines)."""
    if isinstance(obj, dict):
        if isinstance(obj.get('type'), str) and where.endswith(']'):
            yield where, obj
        for key, value in obj.items():
            yield from _transforms(value, f'{where}.{key}')
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _transforms(value, f'{where}[{i}]')


def _arg_default(obj: dict, name: str, registry_name: str):
    """``obj[name]``, else the default of ``name`` in the ``__init__`` of
    ``obj['type']`` or of its bases (None when none declares it)."""
    if name in obj:
        return obj[name]
    import inspect

    from mmallinone import registry
    cls = obj.get('type')
    if isinstance(cls, str):
        try:
            cls = getattr(registry, registry_name).get(cls)
        except Exception:  # noqa: BLE001 - an unknown type: no default
            cls = None
    for klass in getattr(cls, '__mro__', ()):
        try:
            param = inspect.signature(klass.__init__).parameters.get(name)
        except (TypeError, ValueError):  # a builtin without a signature
            continue
        if param is not None and param.kind in (param.POSITIONAL_OR_KEYWORD,
                                                param.KEYWORD_ONLY):
            return None if param.default is param.empty else param.default
    return None


def _leaf_datasets(obj, where: str):
    """``(where, dataset dict)`` of every dataset under a dataloader or a
    dataset wrapper (``dataset`` / ``datasets``)."""
    if not isinstance(obj, dict):
        return
    inner = obj.get('datasets', obj.get('dataset'))
    key = 'datasets' if 'datasets' in obj else 'dataset'
    if isinstance(inner, (list, tuple)):
        for i, value in enumerate(inner):
            yield from _leaf_datasets(value, f'{where}.{key}[{i}]')
    elif isinstance(inner, dict):
        yield from _leaf_datasets(inner, f'{where}.{key}')
    elif where.endswith(('.dataset', ']')):
        yield where, obj


def _false_video_problems(cfg: Config, loaders: Sequence[str]) -> List[str]:
    """Loaders whose false videos (``num_false_videos``) disagree with the
    model's ``vtm_negative_source``: the training loaders of a model that
    takes its VTM negatives from the dataset must draw one per sample; any
    other loader (evaluation, ``'batch'`` negatives, models without VTM
    negatives) must draw none, since the model would ignore them."""
    model = cfg.get('model')
    source = _arg_default(model, 'vtm_negative_source', 'MODELS') \
        if isinstance(model, dict) else None
    named = [(key, cfg.get(key)) for key in loaders]
    if 'train_dataloader' in loaders:  # co-training's other sources
        other = (cfg.get('train_cfg') or {}).get('other_loaders') or {}
        named += [(f'train_cfg.other_loaders.{k}', v)
                  for k, v in other.items()]
    problems = []
    for key, loader in named:
        training = key.startswith('train')
        for where, ds in _leaf_datasets(loader, key):
            num = _arg_default(ds, 'num_false_videos', 'DATASETS')
            if not isinstance(num, int):
                continue  # not a video-text dataset
            kind = str(ds.get('type')).split('.')[-1]
            if training and source == 'dataset' and num == 0:
                problems.append(
                    f'{where} ({kind}) draws no false videos but '
                    "model.vtm_negative_source='dataset' takes the training "
                    'VTM negatives from them. Set num_false_videos=1 (or '
                    "vtm_negative_source='batch').")
            elif num > 0 and not (training and source == 'dataset'):
                why = (f'model.vtm_negative_source={source!r}' if training
                       else 'evaluation scores in-batch negatives')
                if source is None:
                    why = f'{model.get("type")} takes no VTM negatives'
                problems.append(
                    f'{where} ({kind}) draws num_false_videos={num} false '
                    f'videos that the model ignores ({why}). Set '
                    'num_false_videos=0.')
    return problems


def check_model_data_agreement(
        cfg: Config,
        loaders: Sequence[str] = ('train_dataloader', 'val_dataloader',
                                  'test_dataloader')) -> None:
    """The model and the data pipelines agree (checked before building).

    - every ``UniformSample`` of a dataloader samples
      ``model.backbone.num_frames`` frames per clip (or 1: images), since a
      different count would silently interpolate the temporal embedding;
    - no tokenizer's ``max_length`` exceeds the backbone's text position
      table (``max_text_len``), which would fail only when the first long
      caption arrives;
    - datasets draw false videos (``num_false_videos=1``) exactly where the
      model trains on them (``model.vtm_negative_source='dataset'``, the
      training loaders), so no VTM negative source is silently replaced or
      decoded for nothing.

    Args:
        cfg (Config): The full config.
        loaders (Sequence[str]): The dataloaders to check: those the run
            uses (``tools/test.py`` checks only ``test_dataloader``).

    Raises:
        ValueError: Naming the pipeline transform and both values.
    """
    problems = _false_video_problems(cfg, loaders)
    model = cfg.get('model')
    backbone = model.get('backbone') if isinstance(model, dict) else None
    if not isinstance(backbone, dict):
        backbone = {}
    num_frames = _arg_default(backbone, 'num_frames', 'MODELS')
    max_text_len = _arg_default(backbone, 'max_text_len', 'MODELS')
    for key in loaders:
        for where, t in _transforms(cfg.get(key), key):
            kind = t['type'].split('.')[-1]
            clip_len = t.get('clip_len')
            if (kind == 'UniformSample' and isinstance(num_frames, int)
                    and isinstance(clip_len, int) and clip_len > 1
                    and clip_len != num_frames):
                problems.append(
                    f'{where} ({kind}) samples clip_len={clip_len} frames but '
                    f'model.backbone.num_frames={num_frames}; the temporal '
                    'embedding would be interpolated silently. Set both from '
                    'one value.')
            max_length = t.get('max_length')
            if (isinstance(max_length, int) and isinstance(max_text_len, int)
                    and max_length > max_text_len):
                problems.append(
                    f'{where} ({kind}) keeps up to max_length={max_length} '
                    'tokens but the text position table has '
                    f'model.backbone.max_text_len={max_text_len} rows; a '
                    'long caption would fail mid-run. Set both from one '
                    'value.')
    if problems:
        raise ValueError('The model and the data disagree:\n  ' +
                         '\n  '.join(problems))


def build_runner(
    cfg: Config,
    loaders: Sequence[str] = ('train_dataloader', 'val_dataloader',
                              'test_dataloader')
) -> Union[Runner, object]:
    """``FlexibleRunner`` for ``strategy`` configs, else ``Runner``.

    The model and the data pipelines are checked first
    (:func:`check_model_data_agreement`). ``--resume`` without a path
    resumes from the newest intact checkpoint
    (:func:`resolve_auto_resume`). An ``optim_wrapper`` without a
    ``constructor`` gets
    ``SummaryOptimWrapperConstructor`` (MMEngine's default constructor that
    logs one INFO line for the parameter groups instead of one line per
    parameter, which go to DEBUG).

    Args:
        cfg (Config): The full config (after the runtime set-up).
        loaders (Sequence[str]): Dataloaders checked against the model.

    Returns:
        Runner | FlexibleRunner: The runner.
    """
    set_default_optim_constructor(cfg)
    check_model_data_agreement(cfg, loaders)
    resume_warnings = resolve_auto_resume(cfg)
    if uses_flexible_runner(cfg):
        from mmengine.runner import FlexibleRunner
        runner = FlexibleRunner.from_cfg(cfg)
    elif 'runner_type' in cfg:
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    for message in resume_warnings:  # into the run's log file too
        runner.logger.warning(message)
    return runner
