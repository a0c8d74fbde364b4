# Synthetic motion direction, rolling strategy 'random' (see
# synthetic-motion_block_ti.py).
_base_ = ['./synthetic-motion_block_ti.py']

model = dict(backbone=dict(ttr_cfg=dict(strategy='random')))
work_dir = './work_dirs/synthetic-motion_random_ti'
