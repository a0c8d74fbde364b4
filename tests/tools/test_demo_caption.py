"""tools/demo/caption.py and apis.caption_video on a demo video."""
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))
sys.path.insert(0, osp.join(REPO, 'tools', 'demo'))

import caption  # noqa: E402
from tiny_models import DEMO, tiny_checkpoint, tiny_config  # noqa: E402


def test_caption_demo_tool_and_api(tmp_path, capsys):
    cfg = tiny_config('caption_ti_demo.py', str(tmp_path))
    ckpt = tiny_checkpoint(cfg, str(tmp_path))
    video = osp.join(DEMO, 'pool_cleaning.mp4')
    out = caption.main([cfg, ckpt, video, '--max-len', '5', '--beam-size',
                        '2'])
    assert len(out) == 1 and 1 <= len(out[0]['tokens']) <= 5
    printed = capsys.readouterr().out
    assert f'{video}: {out[0]["caption"]}' in printed
    greedy = caption.main([cfg, ckpt, video, '--strategy', 'greedy',
                           '--max-len', '5', '--no-cache'])

    from mmallinone.apis import caption_video, init_model
    model = init_model(cfg, ckpt)
    cached = caption_video(model, video, strategy='greedy', max_len=5)
    assert cached['tokens'] == greedy[0]['tokens']
    assert cached['caption'] == model.tokenizer.decode(cached['tokens'])
    with pytest.raises(FileNotFoundError):
        caption_video(model, osp.join(DEMO, 'missing.mp4'))
    pre = init_model(tiny_config('vqa_ti_demo.py', str(tmp_path)))
    with pytest.raises(AttributeError, match='captioning config'):
        caption_video(pre, video)
