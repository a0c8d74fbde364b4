"""Train a model with MMEngine (same arguments as mmaction2's tools/train.py).

Examples::

    python tools/train.py configs/allinone/pretrain_ti_demo.py
    tools/dist_train.sh configs/allinone/pretrain_b_webvid_howto.py 8 --amp
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
        description='Train an mmallinone (All-in-One) model')
    parser.add_argument(
        'config',
        help='train config file path or name (mmallinone::allinone/x.py)')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='If a checkpoint path is given, resume from it; without a path, '
        'resume from the latest checkpoint in the work directory.')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic mixed precision training (falls back to '
        'float32 with a warning when CUDA is not available)')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual batch size divided by '
        '`auto_scale_lr.base_batch_size`')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='use a different seed on each rank')
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='set deterministic options for the CUDNN backend')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override settings of the config, as key=value pairs merged '
        'into it, e.g. train_cfg.max_iters=4 '
        'optim_wrapper.optimizer.lr=1e-3 (lists: key="[a,b]" or key=a,b; '
        'no white space; a list of dicts as Python literals: '
        '"custom_hooks=[dict(type=\'EmptyCacheHook\')]").')
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
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Merge command-line arguments into the config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    # work_dir priority: CLI > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        amp_types = {
            'OptimWrapper': 'AmpOptimWrapper',
            'AmpOptimWrapper': 'AmpOptimWrapper',
            'FiniteCheckOptimWrapper': 'FiniteCheckAmpOptimWrapper',
            'FiniteCheckAmpOptimWrapper': 'FiniteCheckAmpOptimWrapper',
        }
        assert optim_wrapper in amp_types, (
            '`--amp` does not support the custom optimizer wrapper type '
            f'`{optim_wrapper}`.')
        cfg.optim_wrapper.type = amp_types[optim_wrapper]
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    if args.auto_scale_lr:
        if cfg.get('auto_scale_lr') is None:
            raise RuntimeError('--auto-scale-lr needs `auto_scale_lr = dict('
                               'base_batch_size=...)` in the config.')
        cfg.auto_scale_lr.enable = True

    if cfg.get('randomness', None) is None:
        cfg.randomness = dict(
            seed=args.seed,
            diff_rank_seed=args.diff_rank_seed,
            deterministic=args.deterministic)
    else:  # command-line flags win over the config's randomness
        if args.seed is not None:
            cfg.randomness.seed = args.seed
        if args.diff_rank_seed:
            cfg.randomness.diff_rank_seed = True
        if args.deterministic:
            cfg.randomness.deterministic = True

    if args.cfg_options is not None:
        merge_cfg_options(cfg, args.cfg_options)  # type-checked
    return cfg


def main() -> None:
    """Build the runner from the config and train."""
    args = parse_args()
    register_checkpoint_loader()  # also done by `import mmallinone`
    if args.trust_checkpoint:  # explicit opt-in, inherited by workers
        os.environ[TRUST_ENV_VAR] = '1'
    cfg = load_config(args.config)  # a path or mmallinone::allinone/x.py
    try:
        cfg = merge_args(cfg, args)
    except CfgOptionError as error:  # a --cfg-options value's type
        raise SystemExit(f'error: {error}') from None
    # gloo/device_ids=None/no AMP when there is no CUDA; NCCL otherwise.
    if uses_flexible_runner(cfg):  # `strategy`: FSDP / DeepSpeed / DDP
        cfg = setup_flexible_runtime(cfg, args.launcher)
    else:
        cfg = setup_runtime(cfg, args.launcher)

    # FlexibleRunner for `strategy` configs, else Runner / runner_type
    runner = build_runner(cfg)
    try:
        runner.train()
    finally:
        destroy_dist()  # no gloo threads left to the interpreter's exit


if __name__ == '__main__':
    main()
