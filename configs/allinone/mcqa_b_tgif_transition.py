# All-in-One-B fine-tuned on TGIF-QA Transition: mcqa_b_tgif_action.py with
# the official {Train,Val,Test}_transition_question.csv. Metric: mc/acc.
_base_ = ['./mcqa_b_tgif_action.py']

ann_dir = 'annotations/'
train_dataloader = dict(
    dataset=dict(ann_file=ann_dir + 'Train_transition_question.csv'))
val_dataloader = dict(
    dataset=dict(ann_file=ann_dir + 'Val_transition_question.csv'))
test_dataloader = dict(
    dataset=dict(ann_file=ann_dir + 'Test_transition_question.csv'))
