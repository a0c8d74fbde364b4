# All-in-One-B pre-training (the paper recipe of pretrain_b_webvid_howto.py)
# with DeepSpeed ZeRO stage 2 (optimizer states and gradients partitioned)
# through MMEngine's FlexibleRunner (DeepSpeedStrategy). A config with
# `strategy` makes tools/train.py build a FlexibleRunner.
#
#   pip install deepspeed      # not in requirements/: heavy, CUDA only
#   tools/dist_train.sh configs/allinone/pretrain_b_webvid_howto_deepspeed.py 8
#
# DeepSpeed does the fp16 loss scaling and the gradient accumulation itself:
# `gradient_accumulation_steps` below replaces the optimizer wrapper's
# `accumulative_counts` (MMEngine still counts micro-iterations, so the
# schedule of the DDP recipe is unchanged). tools/train.py refuses this
# config with a clear error without CUDA or without `deepspeed`.
# See docs/distributed.md.
_base_ = ['./pretrain_b_webvid_howto.py']

strategy = dict(
    type='DeepSpeedStrategy',
    fp16=dict(
        enabled=True,
        fp16_master_weights_and_grads=False,
        loss_scale=0,  # dynamic
        initial_scale_power=16,
        loss_scale_window=1000,
        hysteresis=2,
        min_loss_scale=1),
    inputs_to_half=['inputs'],
    zero_optimization=dict(
        stage=2,
        allgather_partitions=True,
        reduce_scatter=True,
        allgather_bucket_size=int(5e7),
        reduce_bucket_size=int(5e7),
        overlap_comm=True,
        contiguous_gradients=True,
        cpu_offload=False),
    gradient_accumulation_steps=_base_.accumulative_counts)

optim_wrapper = dict(
    _delete_=True,
    type='DeepSpeedOptimWrapper',
    optimizer=_base_.optim_wrapper.optimizer,
    paramwise_cfg=_base_.optim_wrapper.paramwise_cfg)
