from .caption_metric import CaptionMetric
from .mc_metric import MultipleChoiceMetric
from .pretrain_metric import PretrainMetric
from .qa_metric import VideoQAMetric
from .retrieval_metric import RetrievalMetric
from .vcr_metric import VCRMetric

__all__ = ['PretrainMetric', 'VideoQAMetric', 'MultipleChoiceMetric',
           'RetrievalMetric', 'VCRMetric', 'CaptionMetric']
