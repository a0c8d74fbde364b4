"""Tabs of the web demo (one registered class per tab)."""
from .base import DEMO_TABS, BaseTab, ordered_tabs
from .caption import CaptionTab
from .cloze import ClozeTab
from .qa import QATab
from .search import SearchTab

__all__ = ['DEMO_TABS', 'BaseTab', 'ordered_tabs', 'SearchTab', 'QATab',
           'ClozeTab', 'CaptionTab']
