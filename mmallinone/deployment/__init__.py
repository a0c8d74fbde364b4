"""Deployment: ONNX export of the retrieval towers."""
from .onnx_export import (TEXT_FILE, VIDEO_FILE, TextEncoder, VideoEncoder,
                          export_onnx, frames_are_dynamic)
from .parity import check_parity, ort_session, tower_inputs

__all__ = [
    'VideoEncoder', 'TextEncoder', 'export_onnx', 'frames_are_dynamic',
    'VIDEO_FILE', 'TEXT_FILE', 'check_parity', 'ort_session', 'tower_inputs'
]
