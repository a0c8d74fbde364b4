# Synthetic motion direction, rolling strategy 'channel_shift' (see
# synthetic-motion_block_ti.py).
_base_ = ['./synthetic-motion_block_ti.py']

model = dict(backbone=dict(ttr_cfg=dict(strategy='channel_shift')))
work_dir = './work_dirs/synthetic-motion_channel_shift_ti'
