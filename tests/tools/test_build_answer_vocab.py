"""tools/data/build_answer_vocab.py: top-K by frequency, ties alphabetical."""
import json
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'data'))

import build_answer_vocab as bav  # noqa: E402


def test_top_k_and_files(tmp_path):
    assert bav.build_vocab(['b', 'a', 'b', 'c', 'a', 'd'], 2) == ['a', 'b']
    assert bav.DEFAULT_TOP_K == dict(
        msrvtt_qa=1500, msvd_qa=1000, tgif_frameqa=1540)
    out = tmp_path / 'v.json'
    bav.main(['tgif_frameqa',
              osp.join(REPO, 'tests/data/tgif/Train_frameqa_question.csv'),
              str(out), '--top-k', '1'])
    assert json.loads(out.read_text()) == ['basketballs']
    bav.main(['msrvtt_qa', osp.join(REPO, 'tests/data/msrvtt_qa/train_qa.json'),
              str(out)])
    assert json.loads(out.read_text()) == ['arm wrestling', 'basketball',
                                           'two']
