# Synthetic motion direction, temporal_mode='none' (see synthetic-motion_block_ti.py).
_base_ = ['./synthetic-motion_block_ti.py']

model = dict(backbone=dict(temporal_mode='none'))
work_dir = './work_dirs/synthetic-motion_none_ti'
