# All-in-One-B pre-training (the paper recipe of pretrain_b_webvid_howto.py)
# with Fully Sharded Data Parallel through MMEngine's FlexibleRunner:
# parameters, gradients and optimizer states are sharded over the GPUs
# (FSDPStrategy), each Transformer block is its own FSDP unit. A config with
# `strategy` makes tools/train.py build a FlexibleRunner
# (mmallinone.utils.runner.build_runner). Same launchers as the DDP recipe:
#
#   tools/dist_train.sh configs/allinone/pretrain_b_webvid_howto_fsdp.py 8
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.1.1.1 \
#       tools/dist_train.sh configs/allinone/pretrain_b_webvid_howto_fsdp.py 8
#
# Needs CUDA: PyTorch 2.14's FSDP refuses CPU-only processes ("FSDP needs a
# non-CPU accelerator device"); tools/train.py says so before building
# anything. See docs/distributed.md.
_base_ = ['./pretrain_b_webvid_howto.py']

strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        # one FSDP unit per module with >= 5M parameters (each ViT-B block
        # holds 7M): shards the 12 blocks and the embeddings separately
        auto_wrap_policy=dict(
            type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
            min_num_params=int(5e6)),
        use_orig_params=True),
    # full (unsharded) state dict gathered on rank 0: checkpoints load into
    # the plain model (tools/test.py, converters) and into DDP runs
    state_dict_cfg='full')

# fp16 autocast with a gradient scaler that understands sharded gradients
optim_wrapper = dict(type='AmpOptimWrapper', use_fsdp=True)
