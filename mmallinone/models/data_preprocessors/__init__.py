from .multi_source_preprocessor import (MultiSourceDataPreprocessor,
                                         is_multi_source_batch)
from .video_text_preprocessor import VideoTextDataPreprocessor

__all__ = [
    'VideoTextDataPreprocessor', 'MultiSourceDataPreprocessor',
    'is_multi_source_batch'
]
