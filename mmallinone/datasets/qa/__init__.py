"""Video QA and multiple-choice datasets and their transforms."""
from .base import (BaseMultipleChoiceDataset, BaseVideoQADataset,
                   load_answer_vocab)
from .ego4d_mc import Ego4DMCDataset
from .lsmdc_mc import LSMDCMCDataset
from .msrvtt_mc import MSRVTTMCDataset
from .msrvtt_qa import MSRVTTQADataset
from .msvd_qa import MSVDQADataset
from .tgif_qa import TGIFFrameQADataset, TGIFMultipleChoiceDataset
from .transforms import GifDecode, GifInit, RestrictToFrameWindow
from .tvqa import TVQADataset

__all__ = [
    'BaseVideoQADataset', 'BaseMultipleChoiceDataset', 'load_answer_vocab',
    'MSRVTTQADataset', 'MSVDQADataset', 'TGIFFrameQADataset',
    'TGIFMultipleChoiceDataset', 'TVQADataset', 'MSRVTTMCDataset',
    'LSMDCMCDataset', 'Ego4DMCDataset', 'GifInit', 'GifDecode',
    'RestrictToFrameWindow'
]
