"""Text-video retrieval datasets (one module per annotation family)."""
from .activitynet import ActivityNetRetrievalDataset
from .base import BaseRetrievalDataset, VideoCaptionsRetrievalDataset
from .didemo import DiDeMoRetrievalDataset
from .lsmdc import LSMDCRetrievalDataset
from .msrvtt import MSRVTTRetrievalDataset
from .transforms import PackRetrievalInputs, TokenizeCaptions

__all__ = [
    'BaseRetrievalDataset', 'VideoCaptionsRetrievalDataset',
    'MSRVTTRetrievalDataset', 'DiDeMoRetrievalDataset',
    'ActivityNetRetrievalDataset', 'LSMDCRetrievalDataset',
    'TokenizeCaptions', 'PackRetrievalInputs'
]
