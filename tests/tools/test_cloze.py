"""tools/visualizations/cloze.py on a real demo video with a tiny model."""
import os.path as osp
import sys

import numpy as np
import pytest
from PIL import Image

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))
sys.path.insert(0, osp.join(REPO, 'tools', 'visualizations'))

import cloze  # noqa: E402
from tiny_models import DEMO, tiny_checkpoint, tiny_config  # noqa: E402


@pytest.mark.parametrize('method', ['attention', 'ot'])
def test_cloze_writes_one_panel_per_word_and_frame(tmp_path, method):
    cfg = tiny_config('pretrain_ti_demo.py', str(tmp_path))
    ckpt = tiny_checkpoint(cfg, str(tmp_path))
    out = str(tmp_path / 'vis' / 'cloze.png')
    text = 'a man [MASK] the [MASK] with a [MASK]'
    result = cloze.main([
        cfg, ckpt, osp.join(DEMO, 'pool_cleaning.mp4'), text, '--out', out,
        '--method', method
    ])
    words, frames = 3, 2
    assert len(result['words']) == words
    assert result['frames'].shape[0] == frames
    img = np.asarray(Image.open(out).convert('RGB'))
    width, height = cloze.canvas_size(words, frames)
    assert (img.shape[1], img.shape[0]) == (width, height)
    # every (row, frame) panel holds an image, and heat-map rows differ
    # from the plain frames row
    panels = {}
    for row in range(1 + words):
        for col in range(frames):
            y = cloze.HEADER_H + row * (cloze.PANEL + cloze.GAP)
            x = cloze.LABEL_W + cloze.GAP + col * (cloze.PANEL + cloze.GAP)
            panel = img[y:y + cloze.PANEL, x:x + cloze.PANEL].astype(float)
            assert panel.std() > 5, (row, col)
            panels[row, col] = panel
    for row in range(1, 1 + words):
        assert np.abs(panels[row, 0] - panels[0, 0]).mean() > 10
    # gaps between panels are left white
    gap_x = cloze.LABEL_W + cloze.PANEL + cloze.GAP
    assert (img[cloze.HEADER_H:, gap_x:gap_x + cloze.GAP] == 255).all()
