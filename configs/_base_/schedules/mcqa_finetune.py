# Multiple-choice video QA fine-tuning (the authors'
# task_finetune_tgif_action_trans / tvqa): finetune_10e.py stretched to 100
# epochs (10 of warm-up), 10x lr on the option-scoring MLP; best checkpoint
# by mc/acc.
_base_ = ['./finetune_10e.py']

max_epochs = 100
warmup_epochs = 10  # 10 % of training
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(_base_.param_scheduler[0], end=warmup_epochs),
    dict(_base_.param_scheduler[1], begin=warmup_epochs, end=max_epochs),
]
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'score_head': dict(lr_mult=10.0)}))
default_hooks = dict(checkpoint=dict(save_best='mc/acc'))
auto_scale_lr = dict(base_batch_size=512)
