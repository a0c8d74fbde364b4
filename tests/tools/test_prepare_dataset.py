"""tools/data/prepare_dataset.py lays out an MSR-VTT download (official file
names, any folder structure) as the configs expect and checks it with the
real loaders."""
import os
import os.path as osp
import shutil
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'data'))

import prepare_dataset  # noqa: E402

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs

FIXTURES = osp.join(REPO, 'tests', 'data')
DEMO = osp.join(REPO, 'data', 'demo')


@pytest.fixture
def download(tmp_path):
    """A fake unpacked MSR-VTT download: the official annotation files (the
    retrieval file under its official name train_val_videodatainfo.json),
    QA files without an answer vocabulary, and the videos under both the
    fixtures' names and MSR-VTT's video<N>.mp4."""
    src = tmp_path / 'download'
    ann = src / 'MSRVTT' / 'annotation'
    ann.mkdir(parents=True)
    for name in ('train_list_jsfusion.txt', 'MSRVTT_JSFUSION_test.csv'):
        shutil.copy(osp.join(FIXTURES, 'msrvtt', name), ann / name)
    shutil.copy(osp.join(FIXTURES, 'msrvtt', 'MSRVTT_data.json'),
                ann / 'train_val_videodatainfo.json')
    qa = src / 'msrvtt-qa'
    qa.mkdir()
    for name in ('train_qa.json', 'test_qa.json'):
        shutil.copy(osp.join(FIXTURES, 'msrvtt_qa', name), qa / name)
    shutil.copy(osp.join(FIXTURES, 'msrvtt_qa', 'test_qa.json'),
                qa / 'val_qa.json')
    videos = src / 'MSRVTT' / 'videos' / 'all'
    videos.mkdir(parents=True)
    for name in os.listdir(DEMO):
        if name.endswith(('.mp4', '.avi')):
            os.symlink(osp.join(DEMO, name), videos / name)
    for i in range(5):
        os.symlink(osp.realpath(osp.join(DEMO, 'msrvtt', 'videos', 'all',
                                         f'video{i}.mp4')),
                   videos / f'video{i}.mp4')
    return src, tmp_path / 'data' / 'msrvtt'


def test_layout_and_check(download, capsys):
    src, root = download
    assert prepare_dataset.main(
        ['msrvtt', '--src', str(src), '--root', str(root),
         '--decode', '2']) == 0
    out = capsys.readouterr().out
    # official name -> the configs' name; the videos folder; QA files
    assert osp.islink(root / 'annotation' / 'MSRVTT_data.json')
    assert osp.realpath(root / 'annotation' / 'MSRVTT_data.json').endswith(
        'train_val_videodatainfo.json')
    assert osp.realpath(root / 'videos' / 'all') == str(
        src / 'MSRVTT' / 'videos' / 'all')
    assert osp.isfile(root / 'annotations' / 'msrvtt_qa' / 'train_qa.json')
    # the answer vocabulary was built from the training answers
    assert 'built' in out and osp.isfile(
        root / 'annotations' / 'msrvtt_qa' / 'answer_vocab.json')
    for split in ('train', 'val', 'test'):
        assert f'retrieval_msrvtt.py [{split}]:' in out
        assert f'qa_msrvtt.py [{split}]:' in out
    assert 'retrieval_msrvtt.py [train]: 3 samples, 3 media files, ' \
        '0 missing' in out
    assert 'retrieval_msrvtt.py [test]: decoded 2/2 sampled videos' in out
    assert 'mc_msrvtt.py [test]: skipped, no annotations/msrvtt_mc/' in out
    assert 'OK: the required splits are complete' in out


def test_missing_and_broken_videos_fail(download, capsys):
    src, root = download
    videos = src / 'MSRVTT' / 'videos' / 'all'
    os.remove(videos / 'pool_cleaning.mp4')  # a 1k-A test video
    os.remove(videos / 'arm_wrestling.mp4')
    data = open(osp.join(DEMO, 'arm_wrestling.mp4'), 'rb').read()
    (videos / 'arm_wrestling.mp4').write_bytes(data[:len(data) // 2])
    assert prepare_dataset.main(
        ['msrvtt', '--src', str(src), '--root', str(root),
         '--decode', '5']) == 1
    out = capsys.readouterr().out
    assert 'retrieval_msrvtt.py [test]: 2 samples, 2 media files, 1 missing' \
        in out and 'pool_cleaning.mp4' in out
    assert 'BROKEN' in out and 'truncated video' in out and \
        'arm_wrestling.mp4' in out
    assert 'INCOMPLETE' in out


def test_check_only_reports_missing_annotations(tmp_path, capsys):
    assert prepare_dataset.main(
        ['msrvtt', '--root', str(tmp_path / 'nothing')]) == 1
    out = capsys.readouterr().out
    assert 'retrieval_msrvtt.py [train]: MISSING annotation/MSRVTT_data' \
        '.json, annotation/train_list_jsfusion.txt' in out


def test_tgif_val_held_out_and_vocab_built(tmp_path, capsys):
    """TGIF-QA ships Train/Test only: Val is the last 10 % of Train (at least
    one row), removed from the Train file written; the FrameQA answer
    vocabulary is built from what remains."""
    src = tmp_path / 'download'
    shutil.copytree(osp.join(FIXTURES, 'tgif'), src / 'tgif-qa')
    os.remove(src / 'tgif-qa' / 'answer_vocab.json')
    root = tmp_path / 'data' / 'tgif'
    assert prepare_dataset.main(['tgif', '--src', str(src), '--root',
                                 str(root)]) == 0
    out = capsys.readouterr().out
    official = open(src / 'tgif-qa' / 'Train_frameqa_question.csv').read()
    official = [r for r in official.splitlines() if r.strip()]
    train = open(root / 'annotations' / 'Train_frameqa_question.csv').read()
    val = open(root / 'annotations' / 'Val_frameqa_question.csv').read()
    train, val = train.splitlines(), val.splitlines()
    assert train[0] == val[0] == official[0]  # header kept
    assert train[1:] + val[1:] == official[1:] and len(val) >= 2
    assert 'held out the last' in out
    assert osp.isfile(root / 'annotations' / 'answer_vocab.json')
    assert 'qa_tgif_frame.py [val]:' in out and 'MISSING' not in out
