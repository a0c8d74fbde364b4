"""Engine components: training loops (registered in ``LOOPS``), hooks
(``HOOKS``), optimizer wrappers (``OPTIM_WRAPPERS``) and their constructor
(``OPTIM_WRAPPER_CONSTRUCTORS``)."""
from .cotraining_loop import CoTrainingIterBasedTrainLoop
from .hooks import (AtomicCheckpointHook, DataSkipCountHook,
                    NonFiniteLossHook, RandomStateHook)
from .loops import ResumableIterBasedTrainLoop
from .optim_wrapper_constructor import SummaryOptimWrapperConstructor
from .optim_wrappers import (FiniteCheckAmpOptimWrapper,
                             FiniteCheckOptimWrapper, FiniteLossCheckMixin)
from .retrieval_loop import RetrievalTestLoop, RetrievalValLoop

__all__ = [
    'ResumableIterBasedTrainLoop', 'CoTrainingIterBasedTrainLoop',
    'RetrievalValLoop', 'RetrievalTestLoop',
    'AtomicCheckpointHook', 'DataSkipCountHook', 'NonFiniteLossHook',
    'RandomStateHook', 'FiniteLossCheckMixin', 'FiniteCheckOptimWrapper',
    'FiniteCheckAmpOptimWrapper', 'SummaryOptimWrapperConstructor'
]
