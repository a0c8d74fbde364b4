# Caption fine-tuning: finetune_10e.py (AdamW, 10 % linear warm-up then
# linear decay, validation - decoding + metrics - every epoch) at lr 5e-5,
# best checkpoint by CIDEr, a log line every 50 iterations.
_base_ = ['./finetune_10e.py']

optim_wrapper = dict(optimizer=dict(lr=5e-5))
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(save_best='caption/CIDEr'))
