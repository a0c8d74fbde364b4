# Synthetic motion direction, temporal_mode='flatten' (see synthetic-motion_block_ti.py).
_base_ = ['./synthetic-motion_block_ti.py']

model = dict(backbone=dict(temporal_mode='flatten'))
work_dir = './work_dirs/synthetic-motion_flatten_ti'
