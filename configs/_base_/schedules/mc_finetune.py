# Caption multiple-choice fine-tuning (the authors' task_finetune_*choice):
# finetune_10e.py (10 epochs, AdamW lr 1e-4, 10 % warm-up then linear decay)
# with 10x lr on the VTM head that scores the candidates; best checkpoint by
# mc/acc.
_base_ = ['./finetune_10e.py']

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'vtm_head': dict(lr_mult=10.0)}))
default_hooks = dict(checkpoint=dict(save_best='mc/acc'))
