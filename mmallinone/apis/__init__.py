"""Python inference API (``init_model`` and queries on videos and text)."""
from .caption import caption_video
from .cloze import fill_masks, last_layer_attention, word_patch_transport
from .inference import (InferenceData, answer_question, encode_texts,
                        encode_videos, init_model, load_video, match,
                        tokenize, video_inputs)
from .video_index import (SearchHit, VideoIndex, list_videos,
                          model_fingerprint)
from .windows import load_video_windows, sliding_windows

__all__ = [
    'init_model', 'encode_videos', 'encode_texts', 'match',
    'answer_question', 'fill_masks', 'load_video', 'tokenize',
    'InferenceData', 'last_layer_attention', 'word_patch_transport',
    'load_video_windows', 'sliding_windows', 'VideoIndex', 'SearchHit',
    'list_videos', 'model_fingerprint', 'caption_video', 'video_inputs'
]
