"""Engine hooks (registered in ``mmallinone.registry.HOOKS``)."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .data_skip_count_hook import DataSkipCountHook
from .non_finite_loss_hook import NonFiniteLossHook
from .random_state_hook import RandomStateHook

__all__ = [
    'AtomicCheckpointHook', 'DataSkipCountHook', 'NonFiniteLossHook',
    'RandomStateHook'
]
