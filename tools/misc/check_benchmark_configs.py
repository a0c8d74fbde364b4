"""Run the test loop of every benchmark config on the shipped fixtures.

For each downstream config of ``configs/allinone`` (retrieval, open-ended
QA, multiple-choice QA, caption multiple choice, zero-shot included, and the
``*_ti_demo`` configs) this builds an MMEngine ``Runner`` exactly as
``tools/test.py`` does (``load_from=CHECKPOINT``, :func:`setup_runtime`),
redirects the test dataset to the matching fixture of ``tests/data/`` (each
fixture is in its benchmark's official format; its videos are links to
``data/demo``), runs ``runner.test()`` and collects the metric dict.

A checkpoint whose backbone width differs from a config's ``arch`` (e.g. the
Ti demo pre-training checkpoint and a ``*_b_*`` config) makes the script
override the config's ``model.backbone.arch`` with the checkpoint's (read
from the shapes of ``backbone.pos_embed`` and ``backbone.blocks``, or
``--arch``); the table says so. ``--tiny`` also shrinks the clips (2 frames
of 32x32; the position tables are resized on load).

Examples::

    python tools/train.py configs/allinone/pretrain_ti_demo.py \
        --work-dir /tmp/pre --cfg-options train_cfg.max_iters=2
    python tools/misc/check_benchmark_configs.py /tmp/pre/iter_2.pth \
        --tiny --out results.json
    python tools/misc/check_benchmark_configs.py CKPT \
        --configs configs/allinone/vqa_b_msrvtt_qa.py

Exit status: 0 when every config printed metrics, 1 otherwise.
"""
import argparse
import copy
import glob
import json
import os.path as osp
import sys
import tempfile
import time
import traceback
from typing import Dict, List, Optional, Tuple, Union

import mmallinone  # noqa: F401,I001  (upstream compat patches come first)
from mmallinone.models.backbones import AllInOneTransformer
from mmallinone.registry import RUNNERS
from mmallinone.checkpoint import (load_from_local_safe,
                                   register_checkpoint_loader)
from mmallinone.utils import setup_runtime

from mmengine.config import Config, ConfigDict
from mmengine.utils import ProgressBar
from mmengine.runner import Runner

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(REPO, 'configs', 'allinone')
TEST_DATA = osp.join(REPO, 'tests', 'data')
DEMO = osp.join(REPO, 'data', 'demo')

#: Benchmark config name patterns (``configs/allinone``).
CONFIG_PATTERNS = ('retrieval_*.py', 'vqa_*.py', 'mcqa_*.py', 'mc_*.py')

#: Per test-dataset type: the fixture directory that replaces ``data_root``
#: and the video folder that replaces ``data_prefix.video`` (relative to the
#: fixture, or absolute). The annotation files keep the basename the config
#: reads (e.g. ``Test_action_question.csv``), so each fixture holds a file of
#: that name in the official format. ``keep_root``: the dataset already reads
#: repository data (the demo configs); only relative paths are anchored.
FIXTURES: Dict[str, dict] = {
    'MSRVTTRetrievalDataset': dict(root='msrvtt', video=DEMO),
    'DiDeMoRetrievalDataset': dict(root='didemo', video=DEMO),
    'ActivityNetRetrievalDataset': dict(root='activitynet', video='videos'),
    'LSMDCRetrievalDataset': dict(root='lsmdc', video='videos'),
    'MSRVTTQADataset': dict(
        root='msrvtt_qa', video=osp.join(DEMO, 'msrvtt', 'videos', 'all')),
    'MSVDQADataset': dict(root='msvd_qa', video='YouTubeClips'),
    'TGIFFrameQADataset': dict(root='tgif', video='gifs'),
    'TGIFMultipleChoiceDataset': dict(root='tgif', video='gifs'),
    'TVQADataset': dict(root='tvqa', video='frames_hq'),
    'MSRVTTMCDataset': dict(
        root='msrvtt_mc', video=osp.join(DEMO, 'msrvtt', 'videos', 'all')),
    'LSMDCMCDataset': dict(root='lsmdc_mc', video='videos'),
    'Ego4DMCDataset': dict(root='ego4d_mc', video='videos'),
}
#: Data roots read as they are (made absolute): the ``*_ti_demo`` configs.
DEMO_ROOTS = ('data/demo', DEMO)
#: Dataset arguments naming files inside ``data_root`` (basename kept).
FILE_KEYS = ('ann_file', 'answer_vocab', 'mapping_file', 'split_file',
             'subtitle_file')

#: ``--tiny`` sizes.
TINY_FRAMES = 2
TINY_IMG = 32


def find_configs(config_dir: str = CONFIG_DIR) -> List[str]:
    """All benchmark configs of ``config_dir`` (sorted, no duplicates)."""
    found = set()
    for pattern in CONFIG_PATTERNS:
        found.update(glob.glob(osp.join(config_dir, pattern)))
    return sorted(found)


def checkpoint_arch(checkpoint: str) -> Tuple[Optional[Union[str, dict]],
                                          Optional[int]]:
    """Read the backbone arch of a checkpoint from its state-dict shapes.

    The width is the last dim of ``backbone.pos_embed`` and the depth the
    number of ``backbone.blocks.<i>``. A (width, depth) of the arch zoo gives
    its name (``'tiny'`` ...). Any other shape gives an arch dict; its
    ``num_heads`` (which no shape determines) is read from the config that
    MMEngine stores in the checkpoint's ``meta``, else guessed as
    ``width // 64``.

    Args:
        checkpoint (str): A ``.pth`` file (an MMEngine checkpoint with
            ``state_dict`` or a bare state dict).

    Returns:
        tuple[str | dict | None, int | None]: The arch (``None`` without a
        ``backbone.pos_embed``) and the width.
    """
    # the safe loader: weights-only plus MMEngine's allow-list; a file that
    # needs full unpickling is refused (UntrustedCheckpointError)
    ckpt = load_from_local_safe(checkpoint, map_location='cpu')
    if not isinstance(ckpt, dict):
        return None, None
    state = ckpt.get('state_dict', ckpt)
    prefix = 'backbone.' if 'backbone.pos_embed' in state else ''
    if prefix + 'pos_embed' not in state:
        return None, None
    width = int(state[prefix + 'pos_embed'].shape[-1])
    blocks = {
        k[len(prefix) + 7:].split('.')[0]
        for k in state if k.startswith(prefix + 'blocks.')
    }
    depth = len(blocks)
    for name in ('tiny', 'small', 'base', 'large'):
        zoo = AllInOneTransformer.arch_zoo[name]
        if zoo['embed_dims'] == width and zoo['num_layers'] == depth:
            return name, width
    heads = None
    meta_cfg = (ckpt.get('meta') or {}).get('cfg')
    if isinstance(meta_cfg, str):
        try:
            arch = Config.fromstring(meta_cfg, '.py').model.backbone.arch
            if isinstance(arch, dict):
                heads = int(arch['num_heads'])
            elif isinstance(arch, str):
                heads = AllInOneTransformer.arch_zoo[arch.lower()][
                    'num_heads']
        except Exception:  # noqa: BLE001 (an unreadable meta: guess)
            heads = None
    if heads is None:
        heads = max(1, width // 64)
    return dict(embed_dims=width, num_layers=depth, num_heads=heads), width


def _arch_key(arch) -> Optional[tuple]:
    """(embed_dims, num_layers, num_heads) of an arch name or dict."""
    if isinstance(arch, str):
        arch = AllInOneTransformer.arch_zoo.get(arch.lower())
    if isinstance(arch, dict):
        return tuple(
            int(arch[k]) for k in ('embed_dims', 'num_layers', 'num_heads'))
    return None


def _arch_str(arch) -> str:
    if isinstance(arch, dict):
        return 'dict({})'.format(', '.join(
            f'{k}={arch[k]}'
            for k in ('embed_dims', 'num_layers', 'num_heads')))
    return str(arch)


def _anchor(path: str) -> str:
    """Make a repository-relative path absolute (any cwd works)."""
    return path if osp.isabs(path) else osp.join(REPO, path)


def redirect_dataset(dataset: ConfigDict) -> str:
    """Point a test dataset config at its fixture under ``tests/data``.

    Args:
        dataset (ConfigDict): ``test_dataloader.dataset``; modified in place.

    Returns:
        str: The data root now read.
    """
    dtype = dataset.get('type')
    data_root = dataset.get('data_root') or ''
    if dtype not in FIXTURES or data_root.startswith(DEMO_ROOTS):
        # the demo configs read the shipped demo data itself
        dataset['data_root'] = _anchor(data_root)
        return dataset['data_root']
    fixture = FIXTURES[dtype]
    root = osp.join(TEST_DATA, fixture['root'])
    dataset['data_root'] = root
    for key in FILE_KEYS:
        value = dataset.get(key)
        if isinstance(value, str) and value:
            dataset[key] = osp.basename(value)
    dataset['data_prefix'] = dict(
        dataset.get('data_prefix') or {}, video=fixture['video'])
    return root


def _shrink_pipeline(pipeline: list, frames: int, img: int) -> None:
    """Fewer frames and a smaller crop in a pipeline, in place."""
    for t in pipeline:
        ttype = t.get('type', '').split('.')[-1]
        if ttype in ('UniformSample', 'SampleFrames'):
            t['clip_len'] = frames
        elif ttype == 'Resize':
            scale = tuple(t.get('scale', ()))
            if len(scale) == 2 and scale[0] == -1:
                t['scale'] = (-1, int(img * 1.2))
            elif t.get('keep_ratio') is False:
                t['scale'] = (img, img)
        elif ttype == 'CenterCrop':
            t['crop_size'] = img
        elif ttype == 'RandomCrop':
            t['size'] = img


def prepare_config(config: str,
                   checkpoint: str,
                   work_dir: str,
                   ckpt_arch: Optional[str] = None,
                   tiny: bool = False) -> Tuple[Config, List[str]]:
    """Build the test config of one benchmark on its fixture.

    Args:
        config (str): The config file.
        checkpoint (str): Set as ``load_from``.
        work_dir (str): The runner's work dir.
        ckpt_arch (str | dict, optional): The checkpoint's arch; the
            config's backbone ``arch`` is overridden when it differs.
        tiny (bool): Shrink frames / image size and the re-rank width.

    Returns:
        tuple[Config, list[str]]: The config and notes on what was changed.
    """
    cfg = Config.fromfile(config)
    notes = []
    for key in ('train_dataloader', 'val_dataloader'):
        cfg[key] = None
    cfg.train_cfg = cfg.val_cfg = cfg.val_evaluator = None
    cfg.optim_wrapper = cfg.param_scheduler = None
    cfg.test_evaluator = copy.deepcopy(cfg.test_evaluator)

    loader = cfg.test_dataloader
    loader.num_workers = 0
    loader.persistent_workers = False
    dataset = loader.dataset
    notes.append('data: ' + osp.relpath(redirect_dataset(dataset), REPO))

    backbone = cfg.model.backbone
    cfg_arch = backbone.get('arch', 'base')
    if ckpt_arch is not None and _arch_key(cfg_arch) != _arch_key(ckpt_arch):
        backbone.arch = copy.deepcopy(ckpt_arch)
        notes.append(f'arch {_arch_str(cfg_arch)} -> {_arch_str(ckpt_arch)} '
                     '(the checkpoint\'s)')
    if tiny:
        _shrink_pipeline(dataset.pipeline, TINY_FRAMES, TINY_IMG)
        backbone.num_frames = TINY_FRAMES
        backbone.img_size = TINY_IMG
        notes.append(f'tiny: {TINY_FRAMES} frames, {TINY_IMG}px')

    cfg.load_from = checkpoint
    cfg.work_dir = work_dir
    cfg.default_hooks = dict(
        cfg.get('default_hooks') or {}, checkpoint=None)
    return cfg, notes


def run_config(cfg: Config) -> Dict[str, float]:
    """Build the runner as ``tools/test.py`` does and test."""
    cfg = setup_runtime(cfg, 'none')
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    metrics = runner.test()
    return {k: float(v) if isinstance(v, (int, float)) else v
            for k, v in (metrics or {}).items()}


def format_table(results: List[dict]) -> str:
    """A plain-text table config -> metrics (or error)."""
    lines = []
    for r in results:
        name = osp.basename(r['config'])
        if r['status'] == 'ok':
            body = ', '.join(
                f'{k}={v:.4g}' if isinstance(v, float) else f'{k}={v}'
                for k, v in r['metrics'].items()) or '(no metrics)'
        else:
            body = 'FAILED: ' + r['error'].strip().splitlines()[-1]
        lines.append(f'{name:<32} {body}')
        if r['notes']:
            lines.append(' ' * 33 + '[' + '; '.join(r['notes']) + ']')
    return '\n'.join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Test every benchmark config on the tests/data fixtures')
    parser.add_argument('checkpoint', help='checkpoint (load_from)')
    parser.add_argument(
        '--configs', nargs='+',
        help='config files (default: every benchmark config of '
        'configs/allinone)')
    parser.add_argument(
        '--tiny', action='store_true',
        help=f'{TINY_FRAMES} frames of {TINY_IMG}x{TINY_IMG} (faster)')
    parser.add_argument(
        '--arch',
        help='the checkpoint\'s backbone arch, a name (tiny, small, base, '
        'large) or a JSON dict with embed_dims, num_layers, num_heads '
        '(default: read from the checkpoint)')
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument(
        '--work-dir', help='runner work dirs go under this (default: a '
        'temporary directory)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Check the configs; return the exit status."""
    args = parse_args(argv)
    register_checkpoint_loader()
    configs = args.configs or find_configs()
    ckpt_arch, width = checkpoint_arch(args.checkpoint)
    if args.arch:
        ckpt_arch = json.loads(args.arch) if args.arch.lstrip().startswith(
            '{') else args.arch
    print(f'checkpoint {args.checkpoint}: backbone width {width}, arch '
          f'{_arch_str(ckpt_arch) if ckpt_arch else "unknown"}; configs of '
          'another arch are switched to it')
    root = args.work_dir or tempfile.mkdtemp(prefix='check_benchmarks_')
    results = []
    progress = ProgressBar(len(configs))
    for config in configs:
        name = osp.splitext(osp.basename(config))[0]
        entry = dict(config=config, notes=[], status='ok', metrics={})
        start = time.time()
        try:
            cfg, notes = prepare_config(
                config, args.checkpoint, osp.join(root, name), ckpt_arch,
                args.tiny)
            entry['notes'] = notes
            entry['metrics'] = run_config(cfg)
            if not entry['metrics']:
                raise RuntimeError('the test loop returned no metrics')
        except Exception:  # noqa: BLE001 (reported, the others go on)
            entry['status'] = 'error'
            entry['error'] = traceback.format_exc()
            print(entry['error'], file=sys.stderr)
        entry['seconds'] = round(time.time() - start, 2)
        results.append(entry)
        progress.update()
        print(f'  {name}: {entry["status"]} ({entry["seconds"]} s)')

    print('\n' + format_table(results))
    failed = [r for r in results if r['status'] != 'ok']
    summary = (f'{len(results) - len(failed)}/{len(results)} configs gave '
               'metrics')
    if failed:
        summary += '; failed: ' + ', '.join(
            osp.basename(r['config']) for r in failed)
    print('\n' + summary)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(
                dict(checkpoint=args.checkpoint, checkpoint_arch=ckpt_arch,
                     tiny=args.tiny, results=results), f, indent=2)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
