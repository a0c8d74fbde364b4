from .video_text_preprocessor import VideoTextDataPreprocessor

__all__ = ['VideoTextDataPreprocessor']
