"""Engine components: training loops (registered in ``LOOPS``)."""
from .loops import ResumableIterBasedTrainLoop

__all__ = ['ResumableIterBasedTrainLoop']
