"""Figures drawn from inference results."""
from .cloze import canvas_size, render_cloze

__all__ = ['render_cloze', 'canvas_size']
