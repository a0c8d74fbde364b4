"""make_webvid_like_clips.py writes H.264 clips with fixed keyframes."""
import json
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'data', 'synthetic'))

import make_webvid_like_clips  # noqa: E402


def test_clips_size_fps_keyframes_and_annotations(tmp_path):
    av = pytest.importorskip('av')
    out = make_webvid_like_clips.main([
        '--out', str(tmp_path), '--num', '2', '--min-seconds', '2',
        '--max-seconds', '3', '--width', '96', '--height', '54', '--keyint',
        '0.5', '--seed', '1'])
    rows = [json.loads(x) for x in open(osp.join(out, 'annotations.jsonl'))]
    assert [r['video'] for r in rows] == ['videos/00000.mp4',
                                          'videos/00001.mp4']
    assert rows[0]['caption'][0].startswith('two people arm wrestling')
    for r in rows:
        with av.open(osp.join(out, r['video'])) as c:
            s = c.streams.video[0]
            assert s.codec_context.name == 'h264'
            assert (s.width, s.height, s.average_rate) == (96, 54, 30)
            packets = [p for p in c.demux(s) if p.size]
        assert 60 <= len(packets) <= 90  # 2-3 s at 30 fps
        keys = [i for i, p in enumerate(packets) if p.is_keyframe]
        assert keys == list(range(0, len(packets), 15))  # every 0.5 s
