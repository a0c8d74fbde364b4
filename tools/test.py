"""Test (and evaluate) a checkpoint (same arguments as mmaction2's test.py).

Examples::

    python tools/test.py CONFIG CHECKPOINT --dump results.pkl
    tools/dist_test.sh CONFIG CHECKPOINT 8
"""
import argparse
import os
import os.path as osp

import mmallinone  # noqa: F401,I001  (upstream compat patches come first)
from mmallinone.checkpoint import TRUST_ENV_VAR, register_checkpoint_loader
from mmallinone.utils import destroy_dist, load_config, setup_runtime
from mmallinone.utils.cfg_options import (CfgOptionError, CfgOptionsAction,
                                          merge_cfg_options)
from mmallinone.utils.runner import (build_runner, setup_flexible_runtime,
                                     uses_flexible_runner)

from mmengine.config import Config


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) an mmallinone model')
    parser.add_argument(
        'config',
        help='test config file path or name (mmallinone::allinone/x.py)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override settings of the config, as key=value pairs merged '
        'into it (lists: key="[a,b]" or key=a,b; no white space; a list of '
        'dicts as Python literals: '
        '"custom_hooks=[dict(type=\'EmptyCacheHook\')]").')
    parser.add_argument(
        '--show-dir',
        help='directory where the visualization images will be saved')
    parser.add_argument(
        '--show',
        action='store_true',
        help='display the prediction results in a window')
    parser.add_argument(
        '--interval',
        type=int,
        default=1,
        help='visualize every `interval` samples')
    parser.add_argument(
        '--wait-time',
        type=float,
        default=2,
        help='display time of every window (second)')
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='fully unpickle checkpoints that hold objects outside the '
        'weights-only allow-list (MMEngine\'s own checkpoints need no '
        'trust). Unpickling can run arbitrary code: only for files of '
        'trusted origin.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge command-line arguments into the config."""
    if args.show or args.show_dir is not None:
        assert 'visualization' in cfg.default_hooks, (
            'VisualizationHook is not set in the `default_hooks` field of '
            'the config. Please set '
            '`visualization=dict(type="VisualizationHook")`.')
        cfg.default_hooks.visualization.enable = True
        cfg.default_hooks.visualization.show = args.show
        cfg.default_hooks.visualization.wait_time = args.wait_time
        cfg.default_hooks.visualization.out_dir = args.show_dir
        cfg.default_hooks.visualization.interval = args.interval

    if args.dump is not None:
        assert args.dump.endswith(('.pkl', '.pickle')), \
            'The dump file must be a pkl file.'
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        if isinstance(cfg.test_evaluator, (list, tuple)):
            cfg.test_evaluator = list(cfg.test_evaluator) + [dump_metric]
        else:
            cfg.test_evaluator = [cfg.test_evaluator, dump_metric]

    if args.cfg_options is not None:
        merge_cfg_options(cfg, args.cfg_options)  # type-checked

    # work_dir priority: CLI > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    cfg.load_from = args.checkpoint
    return cfg


def main() -> None:
    """Build the runner from the config and test."""
    args = parse_args()
    register_checkpoint_loader()  # also done by `import mmallinone`
    if args.trust_checkpoint:  # explicit opt-in, inherited by workers
        os.environ[TRUST_ENV_VAR] = '1'
    cfg = load_config(args.config)  # a path or mmallinone::allinone/x.py
    try:
        cfg = merge_args(cfg, args)
    except CfgOptionError as error:  # a --cfg-options value's type
        raise SystemExit(f'error: {error}') from None
    if uses_flexible_runner(cfg):  # `strategy`: FSDP / DeepSpeed / DDP
        cfg = setup_flexible_runtime(cfg, args.launcher)
    else:
        cfg = setup_runtime(cfg, args.launcher)

    # FlexibleRunner for `strategy` configs, else Runner / runner_type
    runner = build_runner(cfg, loaders=('test_dataloader', ))
    try:
        runner.test()
    finally:
        destroy_dist()  # no gloo threads left to the interpreter's exit


if __name__ == '__main__':
    main()
