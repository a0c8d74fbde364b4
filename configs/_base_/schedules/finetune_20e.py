# finetune_10e.py over 20 epochs (2 of warm-up).
_base_ = ['./finetune_10e.py']

max_epochs = 20
warmup_epochs = 2  # 10 % of training
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(_base_.param_scheduler[0], end=warmup_epochs),
    dict(_base_.param_scheduler[1], begin=warmup_epochs, end=max_epochs),
]
