"""tools/data/make_shards.py: packs the datasets mmallinone reads (WebVid
CSV, HowTo100M, generic JSONL) into shards in each mode, records skipped
items with the reason in the manifest, resumes after an interrupt, and
reads every shard back through VideoTextShardDataset."""
import json
import os
import os.path as osp
import sys

import pytest
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'data'))
import make_shards  # noqa: E402

sys.path.insert(0, osp.join(REPO, 'tests', 'datasets'))

from mmallinone.datasets import VideoTextShardDataset  # noqa: E402
from mmallinone.datasets.shards import index_shard  # noqa: E402

DEMO = osp.join(REPO, 'data', 'demo')
B_CONFIG = osp.join(REPO, 'configs', 'allinone', 'pretrain_b_webvid_howto.py')
TI_CONFIG = osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py')


def _manifest(out):
    with open(osp.join(out, 'manifest.json')) as f:
        return json.load(f)


def _recipe_options(tmp_path):
    return ['--cfg-options',
            f'train_dataloader.dataset.datasets.0.data_root={DEMO}/webvid',
            'train_dataloader.dataset.datasets.0.ann_index='
            f'{tmp_path / "idx"}',
            f'train_dataloader.dataset.datasets.1.data_root={DEMO}/howto100m']


def test_copy_webvid_csv_and_howto100m(tmp_path):
    """The paper recipe's two datasets, original bytes."""
    init_default_scope('mmallinone')
    webvid = str(tmp_path / 'webvid')
    assert make_shards.main([B_CONFIG, webvid, '--subset', '0', '--mode',
                             'copy', '--samples-per-shard', '3',
                             *_recipe_options(tmp_path)]) == 0
    m = _manifest(webvid)
    assert (m['num_items'], m['num_samples'], m['num_shards']) == (4, 4, 2)
    assert m['check'] == dict(samples=4, failed=[], truncated_shards=0,
                              lost_samples=0)
    assert m['bytes'] == sum(s['bytes'] for s in m['shards'])
    ds = VideoTextShardDataset(shards=osp.join(webvid, '*.tar'),
                               ann_index=False)
    info = ds.load_sample_annotation(ds.get_data_info(1))
    assert info['video_bytes'] == open(
        osp.join(DEMO, 'webvid', 'videos', 'demo',
                 'two_men_greeting_1080p.mp4'), 'rb').read()
    assert info['captions'] == [
        'two men standing in an office greet each other with a hug']
    assert info['shard_meta']['duration'] == 'PT00H00M02S'

    howto = str(tmp_path / 'howto')
    assert make_shards.main([B_CONFIG, howto, '--subset', '1', '--mode',
                             'copy', '--samples-per-shard', '10',
                             '--no-check', *_recipe_options(tmp_path)]) == 0
    ds = VideoTextShardDataset(shards=osp.join(howto, '00000.tar'),
                               ann_index=False)
    assert len(ds) == 5
    avi = [ds.get_data_info(i) for i in range(5)
           if ds.get_data_info(i)['filename'].endswith('.avi')]
    assert len(avi) == 1  # the AVI keeps its container
    assert avi[0]['captions'][0] == 'a woman applies eye makeup with a brush'
    assert avi[0]['clip_windows'][:2] == [[0.0, 3.28], [3.28, 6.56]]


@pytest.fixture
def jsonl_with_a_broken_video(tmp_path):
    """A generic JSONL annotation: three demo videos and a truncated one."""
    broken = tmp_path / 'broken.mp4'
    data = open(osp.join(DEMO, 'arm_wrestling.mp4'), 'rb').read()
    broken.write_bytes(data[:len(data) // 3])
    rows = [dict(video=osp.join(DEMO, 'basketball_gym.mp4'), caption='a'),
            dict(video=str(broken), caption='b'),
            dict(video=osp.join(DEMO, 'eye_makeup.avi'), caption='c'),
            dict(video=osp.join(DEMO, 'pool_cleaning.mp4'), caption='d')]
    ann = tmp_path / 'ann.jsonl'
    ann.write_text('\n'.join(json.dumps(r) for r in rows) + '\n')
    return ['--cfg-options', f'train_dataloader.dataset.ann_file={ann}',
            'train_dataloader.dataset.data_root=']


def test_skips_with_reason_and_resumes(tmp_path, jsonl_with_a_broken_video):
    out = str(tmp_path / 'shards')
    args = [TI_CONFIG, out, '--mode', 'transcode', '--short-side', '32',
            '--fps', '4', '--max-seconds', '1', '--samples-per-shard', '2',
            *jsonl_with_a_broken_video]
    assert make_shards.main(args) == 0
    m = _manifest(out)
    assert (m['num_items'], m['num_samples'], m['num_skipped']) == (4, 3, 1)
    assert m['skipped'][0]['filename'].endswith('broken.mp4')
    assert 'truncated video' in m['skipped'][0]['reason']
    assert m['check']['samples'] == 3 and not m['check']['failed']
    # transcode: H.264 at short side 32, 4 frames/s, 1 s
    ds = VideoTextShardDataset(shards=osp.join(out, '*.tar'), ann_index=False,
                               pipeline=[dict(type='SafeVideoInit')])
    res = ds[0]
    assert min(res['video_reader'].get_batch([0]).shape[1:3]) == 32
    assert res['total_frames'] == 4 and res['avg_fps'] == pytest.approx(4)

    # interrupted while writing shard 1: its tar is missing, a temporary
    # file is left; the rerun packs shard 1 only
    first = os.stat(osp.join(out, '00000.tar')).st_mtime_ns
    os.remove(osp.join(out, '00001.tar'))
    open(osp.join(out, '00001.tar.tmp-99999'), 'wb').write(b'partial')
    assert make_shards.main(args) == 0
    m = _manifest(out)
    assert m['num_resumed_shards'] == 1 and m['num_samples'] == 3
    assert os.stat(osp.join(out, '00000.tar')).st_mtime_ns == first
    assert len(index_shard(osp.join(out, '00001.tar'))['samples']) == 2


def test_workers_and_frames_mode(tmp_path, jsonl_with_a_broken_video):
    out = str(tmp_path / 'frames')
    assert make_shards.main([
        TI_CONFIG, out, '--mode', 'frames', '--num-frames', '3',
        '--short-side', '24', '--samples-per-shard', '2', '--workers', '2',
        *jsonl_with_a_broken_video]) == 0
    m = _manifest(out)
    assert (m['num_samples'], m['num_skipped'], m['num_shards']) == (3, 1, 2)
    names = [n for n, _ in index_shard(osp.join(out, '00000.tar'))['samples']]
    assert names == ['000000000']  # the broken video of shard 0 skipped
    members = index_shard(osp.join(out, '00000.tar'))['samples'][0][1]
    assert {'0.jpg', '1.jpg', '2.jpg', 'txt', 'json'} == set(members)


def test_repacks_video2dataset_shards(tmp_path):
    """video2dataset-style shards in, transcoded shards out (JSON kept)."""
    from shard_helpers import write_tar
    video = open(osp.join(DEMO, 'eye_makeup.avi'), 'rb').read()
    os.makedirs(tmp_path / 'v2d')
    write_tar(str(tmp_path / 'v2d' / '00000.tar'), [
        ('000000000.mp4', video),  # (an AVI under .mp4: containers vary)
        ('000000000.txt', b'applying eye makeup'),
        ('000000000.json', json.dumps(dict(
            caption='applying eye makeup', url='https://example.com/v',
            matching_score=0.5)).encode())])
    cfg = tmp_path / 'v2d.py'
    cfg.write_text(
        'train_dataloader = dict(dataset=dict(type="VideoTextShardDataset",'
        f' shards="{tmp_path}/v2d/*.tar", ann_index=False))\n')
    out = str(tmp_path / 'small')
    assert make_shards.main([str(cfg), out, '--mode', 'transcode',
                             '--short-side', '32', '--fps', '5']) == 0
    assert _manifest(out)['check']['samples'] == 1
    ds = VideoTextShardDataset(shards=osp.join(out, '*.tar'),
                               ann_index=False)
    info = ds.get_data_info(0)
    assert info['captions'] == ['applying eye makeup']
    assert info['shard_meta']['url'] == 'https://example.com/v'
    assert info['shard_meta']['matching_score'] == 0.5
