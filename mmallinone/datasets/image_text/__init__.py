"""Image-text datasets for image-video co-training (one module per
annotation family): an image is a one-frame clip."""
from .base import BaseImageTextDataset
from .coco import COCOCaptionDataset
from .conceptual import CC3MDataset, CC12MDataset
from .sbu import SBUCaptionDataset
from .visual_genome import VisualGenomeCaptionDataset

__all__ = [
    'BaseImageTextDataset', 'CC3MDataset', 'CC12MDataset',
    'COCOCaptionDataset', 'VisualGenomeCaptionDataset', 'SBUCaptionDataset'
]
