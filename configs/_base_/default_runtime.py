# Runtime defaults shared by every mmallinone config (MMEngine Runner fields).
default_scope = 'mmallinone'

# Iterations between two log lines / checkpoints. Variables of a `_base_`
# file are evaluated there, so a config that wants other values overrides the
# hook itself: `default_hooks = dict(logger=dict(interval=1))` (merged).
log_interval = 10
checkpoint_interval = 5000

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=log_interval, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Temp file + os.replace: a kill never leaves a truncated latest
    # checkpoint (mmallinone.engine.AtomicCheckpointHook).
    checkpoint=dict(
        type='AtomicCheckpointHook',
        interval=checkpoint_interval,
        by_epoch=False,
        max_keep_ckpts=3,
        save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # A NaN/inf loss skips its step (logged with the iteration and sample
    # ids); more than `max_consecutive_skips` in a row stop the run with a
    # non-zero exit (mmallinone.engine.NonFiniteLossHook). The checkpoint
    # hook never saves non-finite weights. Off: `non_finite=None`.
    non_finite=dict(
        type='NonFiniteLossHook', action='skip', max_consecutive_skips=5),
    # Skipped (broken) samples added up over dataloader workers and ranks,
    # stored in checkpoints, total logged at the end (DataSkipCountHook).
    data_skips=dict(type='DataSkipCountHook'),
    # Random states (python, numpy, torch CPU/CUDA) of every rank saved in
    # checkpoints and restored on --resume (docs/reproducibility.md).
    random_state=dict(type='RandomStateHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # NCCL on GPUs; `mmallinone.utils.setup_runtime` switches to gloo when
    # CUDA is not available (README's dependency trap 7).
    dist_cfg=dict(backend='nccl', timeout=1800),
)

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)

# LocalVisBackend writes <work_dir>/<timestamp>/vis_data/scalars.json, read by
# tools/analysis_tools/analyze_logs.py (plot_curve, cal_train_time). For
# TensorBoard curves too (`pip install tensorboard`, then
# `tensorboard --logdir work_dirs`), use default_runtime_tensorboard.py
# instead of this file in a config's `_base_` list, or set here:
#   vis_backends = [dict(type='LocalVisBackend'),
#                   dict(type='TensorboardVisBackend')]
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
