"""tools/demo/qa.py: open-ended and multiple-choice answers on a demo video."""
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))
sys.path.insert(0, osp.join(REPO, 'tools', 'demo'))

import qa  # noqa: E402
from tiny_models import DEMO, tiny_checkpoint, tiny_config  # noqa: E402


def test_qa_demo_open_ended_and_multiple_choice(tmp_path, capsys):
    cfg = tiny_config('vqa_ti_demo.py', str(tmp_path))
    ckpt = tiny_checkpoint(cfg, str(tmp_path))
    video = osp.join(DEMO, 'basketball_gym.mp4')
    out = qa.main([cfg, ckpt, video, 'what are people doing?', '--top-k',
                   '3'])
    vocab = [line.strip().strip('",') for line in open(
        osp.join(DEMO, 'annotations', 'msrvtt_qa', 'answer_vocab.json'))
        if line.strip() not in '[]']
    assert out['answer'] == vocab[out['label']]
    assert [a for a, _ in out['top_k']] == [
        vocab[int(i)] for i in out['scores'].argsort(descending=True)[:3]]
    printed = capsys.readouterr().out
    assert f'answer:   {out["answer"]}' in printed

    pre = tiny_config('pretrain_ti_demo.py', str(tmp_path))
    pre_ckpt = tiny_checkpoint(pre, str(tmp_path))
    cands = ['shooting basketball', 'cleaning a pool']
    mc = qa.main([pre, pre_ckpt, video, 'what are people doing?',
                  '--candidates', *cands])
    assert mc['answer'] in cands and mc['scores'].shape == (2, )
