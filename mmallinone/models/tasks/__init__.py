from .pretrainer import AllInOnePretrainer

__all__ = ['AllInOnePretrainer']
