# Open-ended video QA fine-tuning (the authors' task_finetune_*qa):
# finetune_20e.py (20 epochs, AdamW lr 1e-4, 10 % warm-up then linear decay)
# with 10x lr on the answer classifier; best checkpoint by vqa/acc_in_vocab.
_base_ = ['./finetune_20e.py']

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'vqa_head': dict(lr_mult=10.0)}))
default_hooks = dict(checkpoint=dict(save_best='vqa/acc_in_vocab'))
auto_scale_lr = dict(base_batch_size=512)
