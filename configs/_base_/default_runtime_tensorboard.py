# default_runtime.py that also logs scalars to TensorBoard (besides
# vis_data/scalars.json). Needs the `tensorboard` package, which is not a
# requirement of mmallinone. Use it *instead of* default_runtime.py in a
# config's `_base_` list, e.g.
#   _base_ = [..., '../_base_/default_runtime_tensorboard.py']
# or, in a config that keeps default_runtime.py, set in its body:
#   visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
#                                   dict(type='TensorboardVisBackend')])
# then `tensorboard --logdir work_dirs/<config>` (the event files are in
# <work_dir>/<timestamp>/vis_data/).
_base_ = './default_runtime.py'

vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend'),
]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
