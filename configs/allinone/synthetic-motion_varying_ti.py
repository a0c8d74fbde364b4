# Synthetic motion direction, rolling strategy 'varying' (see
# synthetic-motion_block_ti.py).
_base_ = ['./synthetic-motion_block_ti.py']

model = dict(backbone=dict(ttr_cfg=dict(strategy='varying')))
work_dir = './work_dirs/synthetic-motion_varying_ti'
