"""Engine hooks (registered in ``mmallinone.registry.HOOKS``)."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .non_finite_loss_hook import NonFiniteLossHook

__all__ = ['AtomicCheckpointHook', 'NonFiniteLossHook']
