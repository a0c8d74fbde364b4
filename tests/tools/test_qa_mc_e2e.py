"""End to end on the demo videos: train + test for QA and MC, zero-shot MC.

tools/train.py / tools/test.py in subprocesses: All-in-One-Ti at 32x32
pixels and 2 frames.
"""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _small_data(loaders):
    opts = []
    for loader in loaders:
        opts += [
            f'{loader}.dataset.pipeline.1.clip_len=2',
            f'{loader}.dataset.pipeline.3.scale=(-1,40)',
        ]
    return opts


def _run(tool, *args, timeout=240):
    env = dict(os.environ)
    env.pop('MMALLINONE_TRUST_CHECKPOINTS', None)
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', tool), *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


SMALL = ['model.backbone.img_size=32', 'model.backbone.num_frames=2',
         'model.backbone.drop_rate=0.0']


def _check_mc_predictions(out: str, dump: str) -> None:
    """The printed accuracy is the dumped predictions' accuracy, and every
    prediction is the argmax of its candidate scores."""
    import pickle
    m = re.search(r'mc/acc: ([\d.]+) +mc/num_samples: 5\.0', out)
    assert m, out[-3000:]
    with open(dump, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 5
    correct = 0
    for p in preds:
        scores = [float(x) for x in p['pred_score']]
        assert len(scores) > 1 and len(set(scores)) > 1, scores
        label = int(p['pred_label'].reshape(-1)[0])
        assert label == max(range(len(scores)), key=scores.__getitem__)
        correct += label == int(p['gt_label'].reshape(-1)[0])
    assert float(m.group(1)) == pytest.approx(100.0 * correct / 5, abs=0.01)


def _check_vqa_predictions(out: str, dump: str) -> None:
    """The printed accuracies are those of the dumped predictions on the demo
    test split (6 questions, the 6th answer out of the vocabulary): every
    prediction is the argmax of its answer scores, every label is its
    annotated answer's index in the vocabulary (-100 when out of it)."""
    import json
    import pickle
    m = re.search(r'vqa/acc: ([\d.]+) +vqa/acc_in_vocab: ([\d.]+) +'
                  r'vqa/num_questions: 6\.0+ +vqa/num_in_vocab: 5\.0+', out)
    assert m, out[-3000:]
    ann_dir = osp.join(REPO, 'data', 'demo', 'annotations', 'msrvtt_qa')
    with open(osp.join(ann_dir, 'answer_vocab.json')) as f:
        vocab = json.load(f)
    with open(osp.join(ann_dir, 'test_qa.json')) as f:
        answers = {q['id']: q['answer'] for q in json.load(f)}
    with open(dump, 'rb') as f:
        preds = pickle.load(f)
    assert sorted(int(p['question_id']) for p in preds) == sorted(answers)
    correct = 0
    for p in preds:
        scores = [float(x) for x in p['pred_score']]
        assert len(scores) == len(vocab)
        assert sum(scores) == pytest.approx(1.0, abs=1e-4)  # softmax
        label = int(p['pred_label'].reshape(-1)[0])
        assert label == max(range(len(scores)), key=scores.__getitem__)
        answer = answers[int(p['question_id'])]
        gt = int(p['gt_label'].reshape(-1)[0])
        assert gt == (vocab.index(answer) if answer in vocab else -100)
        correct += label == gt
    assert float(m.group(1)) == pytest.approx(100.0 * correct / 6, abs=0.01)
    assert float(m.group(2)) == pytest.approx(100.0 * correct / 5, abs=0.01)


def _train_then_test(config, work_dir, crop_keys):
    cfg = osp.join(REPO, 'configs', 'allinone', config)
    # the test loader too: the runner checks every loader against the model
    train_opts = SMALL + _small_data(
        ['train_dataloader', 'val_dataloader', 'test_dataloader'])
    train_opts += [
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1',
        f'train_dataloader.dataset.pipeline.4.{crop_keys}=32',
        'val_dataloader.dataset.pipeline.4.crop_size=32',
    ]
    out = _run('train.py', cfg, '--work-dir', work_dir, '--cfg-options',
               *train_opts)
    assert re.search(r'Iter\(train\) \[2/2\]', out)
    ckpt = osp.join(work_dir, 'iter_2.pth')
    assert osp.isfile(ckpt)
    test_opts = SMALL + _small_data(['test_dataloader']) + [
        'test_dataloader.dataset.pipeline.4.crop_size=32']
    out_test = _run('test.py', cfg, ckpt, '--work-dir', work_dir,
                    '--dump', osp.join(work_dir, 'preds.pkl'),
                    '--cfg-options', *test_opts)
    return out, out_test


def test_vqa_demo_train_and_test(tmp_path):
    out, out_test = _train_then_test('vqa_ti_demo.py', str(tmp_path),
                                     'size')
    assert re.search(r'loss_vqa: [\d.]+', out)
    # validation: the 5 questions of val_qa.json, all in the vocabulary, so
    # both accuracies are the same k / 5
    m = re.search(r'vqa/acc: ([\d.]+) +vqa/acc_in_vocab: ([\d.]+) +'
                  r'vqa/num_questions: 5\.0+ +vqa/num_in_vocab: 5\.0+', out)
    assert m, out[-3000:]
    acc, acc_in_vocab = float(m.group(1)), float(m.group(2))
    assert acc == acc_in_vocab
    assert acc in {0.0, 20.0, 40.0, 60.0, 80.0, 100.0}, acc
    _check_vqa_predictions(out_test, str(tmp_path / 'preds.pkl'))


def test_mc_demo_train_and_test(tmp_path):
    out, out_test = _train_then_test('mc_ti_demo.py', str(tmp_path), 'size')
    assert re.search(r'loss_mc: [\d.]+', out)
    _check_mc_predictions(out_test, str(tmp_path / 'preds.pkl'))


def test_mc_demo_zeroshot_from_pretraining_checkpoint(tmp_path):
    """Zero-shot MC straight from a (tiny) demo pre-training checkpoint."""
    pre_dir = str(tmp_path / 'pre')
    pre_cfg = osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py')
    pre_opts = SMALL + [
        'train_cfg.max_iters=1', 'default_hooks.checkpoint.interval=1',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'train_dataloader.dataset.pipeline.1.clip_len=2',
        'train_dataloader.dataset.pipeline.3.scale=(-1,40)',
        'train_dataloader.dataset.pipeline.5.scale=(32,32)',
        'model.backbone.max_text_len=40',
    ]
    _run('train.py', pre_cfg, '--work-dir', pre_dir, '--cfg-options',
         *pre_opts)
    ckpt = osp.join(pre_dir, 'iter_1.pth')
    cfg = osp.join(REPO, 'configs', 'allinone', 'mc_ti_demo_zeroshot.py')
    dump = str(tmp_path / 'zs_preds.pkl')
    out = _run('test.py', cfg, ckpt, '--work-dir', str(tmp_path / 'zs'),
               '--dump', dump, '--cfg-options', *SMALL, *_small_data(['test_dataloader']),
               'test_dataloader.dataset.pipeline.4.crop_size=32')
    _check_mc_predictions(out, dump)
    # the pre-trained VTM head was loaded, not left missing
    assert 'missing keys in source state_dict: vtm_head' not in out
