# Caption multiple-choice form, time average (no rolling): see
# synthetic-motion-mc_block_ti.py.
_base_ = ['./synthetic-motion-mc_block_ti.py']

model = dict(backbone=dict(temporal_mode='none'))
work_dir = './work_dirs/synthetic-motion-mc_none_ti'
