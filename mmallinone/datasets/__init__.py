"""Datasets of mmallinone (registered in ``DATASETS``)."""
from .action_video import RobustVideoDataset
from .ann_index import AnnotationIndexMixin
from .base import AnnotationError, BaseVideoTextDataset
from .captioning import *  # noqa: F401,F403
from .captioning import __all__ as _captioning_all
from .howto100m import HowTo100MDataset
from .image_text import *  # noqa: F401,F403
from .image_text import __all__ as _image_text_all
from .qa import *  # noqa: F401,F403
from .qa import __all__ as _qa_all
from .retrieval import *  # noqa: F401,F403
from .retrieval import __all__ as _retrieval_all
from .samplers import ResumableInfiniteSampler, SampleIndex
from .shards import VideoTextShardDataset
from .transforms import (LoadImageAsClip, MaskTokensForMLM,
                         PackVideoTextInputs, RestrictToClipWindow,
                         TokenizeText)
from .vcr import VCRDataset
from .video_text import VideoTextDataset
from .webvid import WebVidDataset
from .yttemporal import YTTemporalDataset

__all__ = [
    'AnnotationError', 'AnnotationIndexMixin', 'BaseVideoTextDataset',
    'HowTo100MDataset',
    'VideoTextDataset', 'WebVidDataset', 'LoadImageAsClip', 'MaskTokensForMLM',
    'PackVideoTextInputs', 'RestrictToClipWindow', 'TokenizeText',
    'ResumableInfiniteSampler', 'SampleIndex', 'VCRDataset',
    'YTTemporalDataset', 'RobustVideoDataset', 'VideoTextShardDataset'
] + list(_retrieval_all) + list(_qa_all) + list(_image_text_all) + \
    list(_captioning_all)
