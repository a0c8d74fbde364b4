"""Video captioning datasets (MSR-VTT, MSVD, YouCook2, generic JSON)."""
from .base import BaseCaptionDataset
from .msrvtt import MSRVTTCaptionDataset
from .msvd import MSVDCaptionDataset
from .video_caption import VideoCaptionDataset
from .youcook2 import YouCook2CaptionDataset

__all__ = [
    'BaseCaptionDataset', 'MSRVTTCaptionDataset', 'MSVDCaptionDataset',
    'VideoCaptionDataset', 'YouCook2CaptionDataset'
]
