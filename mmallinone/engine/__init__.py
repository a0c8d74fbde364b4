"""Engine components: training loops (registered in ``LOOPS``)."""
from .loops import ResumableIterBasedTrainLoop
from .retrieval_loop import RetrievalTestLoop, RetrievalValLoop

__all__ = [
    'ResumableIterBasedTrainLoop', 'RetrievalValLoop', 'RetrievalTestLoop'
]
