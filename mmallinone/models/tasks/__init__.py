from .base import AllInOneBaseModel
from .pretrainer import AllInOnePretrainer

__all__ = ['AllInOneBaseModel', 'AllInOnePretrainer']
