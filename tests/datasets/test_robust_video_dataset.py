"""RobustVideoDataset: mmaction2's list format, named errors, counted skips."""
import os.path as osp

import pytest

from mmallinone.datasets import AnnotationError, RobustVideoDataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'data', 'demo')
PIPELINE = [
    dict(type='SafeDecordInit'),
    dict(type='mmaction.UniformSample', clip_len=2, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]


def _dataset(tmp_path, lines, **kwargs):
    ann = tmp_path / 'list.txt'
    ann.write_text('\n'.join(lines) + '\n')
    kwargs.setdefault('data_prefix', dict(video=DEMO))
    return RobustVideoDataset(str(ann), pipeline=PIPELINE, **kwargs)


def test_reads_mmaction_list_and_demo_actions():
    ann = osp.join(DEMO, 'annotations', 'actions', 'demo_actions_videos.txt')
    ds = RobustVideoDataset(ann, pipeline=PIPELINE, num_classes=5,
                            data_prefix=dict(video=DEMO), test_mode=True)
    assert len(ds) == 5
    assert [ds.get_data_info(i)['label'] for i in range(5)] == [0, 1, 2, 3, 4]
    sample = ds[4]  # eye_makeup.avi (xvid)
    assert tuple(sample['inputs'].shape) == (1, 3, 2, 32, 32)
    assert int(sample['data_samples'].gt_label) == 4


@pytest.mark.parametrize('line,match', [
    ('arm_wrestling.mp4', r'line 2, field "label"\): missing'),
    ('arm_wrestling.mp4 x', r'line 2, field "label"\): expected an integer'),
    ('arm_wrestling.mp4 5', r'line 2, field "label"\): 5 is outside'),
    ('arm wrestling.mp4 1', r'line 2, field "label"\): 2 labels'),
])
def test_malformed_lines_name_file_and_line(tmp_path, line, match):
    with pytest.raises(AnnotationError, match=r'list\.txt, ' + match):
        _dataset(tmp_path, ['eye_makeup.avi 4', line], num_classes=5)


def test_blank_lines_and_unlabelled(tmp_path):
    ds = _dataset(tmp_path, ['eye_makeup.avi 4', '', 'arm_wrestling.mp4'],
                  allow_unlabelled=True)
    assert [ds.get_data_info(i)['label'] for i in range(2)] == [4, -1]


def test_broken_video_skipped_in_training_raises_in_test(tmp_path,
                                                         log_messages):
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(b'\x00\x00\x00\x18ftypmp42' + b'\x00' * 40)
    lines = [f'{broken} 0', 'eye_makeup.avi 4']
    ds = _dataset(tmp_path, lines, num_classes=5)
    sample = ds[0]  # refetched: the only good sample
    assert int(sample['data_samples'].gt_label) == 4
    assert ds.num_skipped >= 1
    assert any('skipped sample 0' in m and 'broken.mp4' in m
               for m in log_messages)

    test_ds = _dataset(tmp_path, lines, num_classes=5, test_mode=True)
    with pytest.raises(RuntimeError, match=r'sample 0 ".*broken\.mp4" in '
                       'test mode'):
        test_ds[0]


def test_skip_ratio_stops_a_wrong_prefix(tmp_path):
    ds = _dataset(tmp_path, ['eye_makeup.avi 4', 'arm_wrestling.mp4 0'],
                  data_prefix=dict(video=str(tmp_path / 'nowhere')),
                  skip_warmup=2, max_skip_ratio=0.5)
    ds.max_refetch = 5
    with pytest.raises(RuntimeError, match='above max_skip_ratio=0.5'):
        ds[0]
