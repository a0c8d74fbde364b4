"""onnxruntime vs PyTorch: the exported towers on real videos and texts."""
from typing import Dict, Sequence

import numpy as np
import torch
import torch.nn as nn

__all__ = ['ort_session', 'tower_inputs', 'check_parity']


def ort_session(path: str, threads: int = 0):
    """A CPU :class:`onnxruntime.InferenceSession` (``threads`` 0 = auto)."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts,
                                providers=['CPUExecutionProvider'])


def tower_inputs(model: nn.Module, videos: Sequence, texts: Sequence[str]):
    """Frames and token ids as the exported towers take them.

    Videos are decoded by the model's test pipeline
    (:func:`mmallinone.apis.load_video`; every test view becomes a batch
    row) and texts tokenised and padded by :func:`mmallinone.apis.tokenize`.

    Returns:
        tuple: ``frames`` float ``(N, S, 3, H, W)`` 0-255, ``input_ids`` and
        ``attention_mask`` ``(T, L)``.
    """
    from mmallinone.apis import load_video, tokenize
    frames = torch.cat([load_video(model, v) for v in videos]).float()
    ids, mask = tokenize(model, list(texts))
    return frames, ids, mask


@torch.no_grad()
def check_parity(model: nn.Module, paths: Dict[str, str], videos: Sequence,
                 texts: Sequence[str]) -> Dict[str, float]:
    """Max absolute difference of ONNX and PyTorch embeddings.

    PyTorch runs the task model's own inference path (data preprocessor
    normalisation, ``encode_video`` / ``encode_text``).

    Returns:
        dict: ``video`` and ``text`` max abs differences, and the batch
        sizes ``num_clips`` / ``num_texts``.
    """
    from mmallinone.deployment.onnx_export import TextEncoder, VideoEncoder
    model.eval()
    frames, ids, mask = tower_inputs(model, videos, texts)
    imgs = model.data_preprocessor.normalize(list(frames))
    ref_video = (model.encode_video(imgs) if model.can('embed')
                 else VideoEncoder(model)(frames)).float().numpy()
    ref_text = TextEncoder(model)(ids, mask).float().numpy()
    out_video = ort_session(paths['video']).run(
        None, {'frames': frames.numpy()})[0]
    out_text = ort_session(paths['text']).run(
        None, {'input_ids': ids.numpy(),
               'attention_mask': mask.numpy()})[0]
    return dict(
        video=float(np.abs(out_video - ref_video).max()),
        text=float(np.abs(out_text - ref_text).max()),
        num_clips=int(frames.shape[0]),
        num_texts=int(ids.shape[0]))
