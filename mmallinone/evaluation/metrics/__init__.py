from .mc_metric import MultipleChoiceMetric
from .pretrain_metric import PretrainMetric
from .qa_metric import VideoQAMetric

__all__ = ['PretrainMetric', 'VideoQAMetric', 'MultipleChoiceMetric']
