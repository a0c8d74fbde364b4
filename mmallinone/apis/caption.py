"""Caption a video with an :class:`AllInOneCaptioner` (``init_model``)."""
from typing import Any, Dict, Optional

import torch
import torch.nn as nn

from .inference import VideoLike, _require, video_inputs

__all__ = ['caption_video']


@torch.no_grad()
def caption_video(model: nn.Module,
                  video: VideoLike,
                  use_cache: Optional[bool] = None,
                  **decode_overrides) -> Dict[str, Any]:
    """Generate a caption for one video file (or decoded frames).

    The video is decoded by the test pipeline of the model's config (the
    middle view when it has several), normalised by the model's data
    preprocessor and captioned by ``model.generate`` with the config's
    ``decode_cfg``.

    Args:
        model (nn.Module): A captioning model from :func:`init_model`.
        video (str | Path | Tensor): A video file, or uint8 frames
            ``(S, 3, H, W)``.
        use_cache (bool, optional): Key/value-cached decoding (default: the
            model's ``decode_cfg.use_cache``).
        **decode_overrides: Decoding settings, e.g. ``strategy='greedy'``,
            ``beam_size=5``, ``max_len=30``, ``no_repeat_ngram_size=2``.

    Returns:
        dict: ``caption`` (str), ``tokens`` (list of WordPiece ids) and
        ``score`` (length-normalised log-probability).
    """
    _require(model, 'caption', 'caption (use a captioning config, '
             'AllInOneCaptioner, e.g. configs/allinone/caption_ti_demo.py)')
    imgs = video_inputs(model, video)
    out = model.generate(imgs, use_cache=use_cache, **decode_overrides)
    return dict(caption=out['captions'][0], tokens=out['tokens'][0],
                score=out['scores'][0])
