from .embeddings import (resize_pos_embed, resize_temporal_embed,
                         resize_text_pos_embed)
from .incremental_joint import IncrementalJointDecoder, JointKVState
from .temporal_modes import FlattenFrames, FrameIndependent
from .temporal_token_roll import TemporalTokenRoll

__all__ = [
    'FlattenFrames', 'FrameIndependent', 'TemporalTokenRoll',
    'resize_pos_embed', 'resize_temporal_embed', 'resize_text_pos_embed',
    'IncrementalJointDecoder', 'JointKVState'
]
