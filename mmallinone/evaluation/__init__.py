from .metrics import *  # noqa: F401,F403

__all__ = ['PretrainMetric', 'VideoQAMetric', 'MultipleChoiceMetric',
           'RetrievalMetric', 'VCRMetric', 'CaptionMetric']
