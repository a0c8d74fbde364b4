"""Engine hooks (registered in ``mmallinone.registry.HOOKS``)."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .data_skip_count_hook import DataSkipCountHook
from .non_finite_loss_hook import NonFiniteLossHook

__all__ = ['AtomicCheckpointHook', 'DataSkipCountHook', 'NonFiniteLossHook']
