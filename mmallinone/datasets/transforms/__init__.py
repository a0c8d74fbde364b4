"""Data transforms of mmallinone (registered in ``TRANSFORMS``)."""
from .formatting import PackVideoTextInputs, frames_to_tensor
from .keyframe_snap import SnapToKeyframes
from .loading import (CachedVideoDecode, CachedVideoInit, LoadImageAsClip,
                      RestrictToClipWindow)
from .shard_frames import LoadShardFrames
from .text import MaskTokensForMLM, TokenizeCandidates, TokenizeText
from .vcr import PackVCRInputs, VCRMarkEntities
from .video_check import (SafeDecordInit, VideoCheckError, check_container,
                          probe_video)
from .video_decode import VideoDecode
from .video_init import SafeVideoInit

__all__ = [
    'PackVideoTextInputs', 'frames_to_tensor', 'LoadImageAsClip',
    'RestrictToClipWindow', 'MaskTokensForMLM', 'TokenizeText',
    'TokenizeCandidates', 'CachedVideoInit', 'CachedVideoDecode',
    'SafeDecordInit', 'VideoCheckError', 'check_container', 'probe_video',
    'VCRMarkEntities', 'PackVCRInputs', 'LoadShardFrames', 'SafeVideoInit',
    'VideoDecode', 'SnapToKeyframes'
]
