"""mmallinone.demo: tab registry and the messages for bad input."""
import os.path as osp
import sys

import pytest

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(osp.abspath(
    __file__))), 'apis'))

from tiny_models import DEMO, tiny_checkpoint, tiny_config  # noqa: E402


def test_tabs_are_registered_ordered_and_can_hide():
    from mmallinone.demo import DEMO_TABS, BaseTab
    from mmallinone.demo.tabs import ordered_tabs

    class Hidden(BaseTab):
        title, order = 'Caption', 40

        @classmethod
        def visible(cls, ctx):
            return False

    class Extra(BaseTab):
        title, order = 'Extra', 35

    DEMO_TABS.register_module(module=Hidden)
    DEMO_TABS.register_module(module=Extra)
    try:
        titles = [t.title for t in ordered_tabs(ctx=None)]
        assert titles == ['Search', 'Question answering', 'Cloze', 'Extra']
    finally:
        DEMO_TABS.module_dict.pop('Hidden')
        DEMO_TABS.module_dict.pop('Extra')


def test_context_messages_for_bad_input(tmp_path):
    import gradio as gr  # noqa: F401  (guarded skips other outputs)

    from mmallinone.apis import init_model
    from mmallinone.demo import DemoContext, DemoError, ModelEntry
    from mmallinone.demo.context import guarded
    cfg = tiny_config('pretrain_ti_demo.py', str(tmp_path))
    ckpt = tiny_checkpoint(cfg, str(tmp_path))
    model = init_model(cfg, ckpt)
    ctx = DemoContext([ModelEntry(cfg, ckpt, model)], DEMO,
                      str(tmp_path / 'c.pth'))
    assert ctx.index.mode == 'vtm' and ctx.entry_for('open_ended') is None
    with pytest.raises(DemoError, match='empty'):
        ctx.check_text(model, '   ')
    with pytest.raises(DemoError, match=r'too long: 62 word pieces .* at '
                       r'most 40'):
        ctx.check_text(model, 'a ' * 60)
    assert ctx.check_text(model, ' a pool ') == 'a pool'
    with pytest.raises(DemoError, match='Choose a video'):
        ctx.video_path('')
    with pytest.raises(DemoError, match='not found'):
        ctx.video_path('nope.mp4')

    def fail(x):
        raise ZeroDivisionError('boom')

    wrapped = guarded(fail)
    assert wrapped(1) == '⚠️ Error: ZeroDivisionError: boom'
    wrapped.num_outputs = 3
    out = wrapped(1)
    assert out[0].startswith('⚠️') and len(out) == 3
    with pytest.raises(DemoError, match='Checkpoint not found'):
        DemoContext.from_files([(cfg, str(tmp_path / 'x.pth'))], DEMO,
                               cache_file=str(tmp_path / 'c.pth'))
    with pytest.raises(DemoError, match='Video folder not found'):
        DemoContext.from_files([(cfg, cfg)], str(tmp_path / 'none'),
                               cache_file=str(tmp_path / 'c.pth'))


def test_caption_tab_shows_only_with_a_captioning_model(tmp_path):
    from mmallinone.apis import init_model
    from mmallinone.demo import DemoContext, DemoError, ModelEntry
    from mmallinone.demo.tabs import CaptionTab, ordered_tabs
    pre = tiny_config('pretrain_ti_demo.py', str(tmp_path))
    pre_model = init_model(pre, tiny_checkpoint(pre, str(tmp_path)))
    cap = tiny_config('caption_ti_demo.py', str(tmp_path))
    cap_ckpt = tiny_checkpoint(cap, str(tmp_path))
    cap_model = init_model(cap, cap_ckpt)
    # a pre-training model alone: no Caption tab
    ctx = DemoContext([ModelEntry(pre, pre, pre_model)], DEMO,
                      str(tmp_path / 'c.pth'))
    assert 'Caption' not in [t.title for t in ordered_tabs(ctx)]
    with pytest.raises(DemoError, match='captioning model'):
        CaptionTab(ctx).caption('arm_wrestling.mp4', 'greedy', 1)
    # with a captioning model the tab is there and captions a demo video
    ctx = DemoContext([ModelEntry(pre, pre, pre_model),
                       ModelEntry(cap, cap_ckpt, cap_model)], DEMO,
                      str(tmp_path / 'c2.pth'))
    tabs = ordered_tabs(ctx)
    assert [t.title for t in tabs][-1] == 'Caption'
    text, details = tabs[-1].caption('arm_wrestling.mp4', 'greedy', 1)
    assert text.startswith('**Caption:** ')
    assert details.startswith('greedy search, ')
    with pytest.raises(DemoError, match='not found'):
        tabs[-1].caption('nope.mp4', 'beam', 2)
    # the page builds with all four tabs
    from mmallinone.demo.app import build_demo
    assert build_demo(ctx) is not None


def test_closed_log_files_are_reopened(tmp_path):
    """Gradio's server configures logging with dictConfig, which closes and
    forgets every handler; MMEngine then writes to a FileHandler whose
    stream is None."""
    import logging

    from mmengine.logging import MMLogger

    from mmallinone.demo.app import _reopen_log_files
    logger = MMLogger.get_instance('reopen_test',
                                   log_file=str(tmp_path / 'run.log'))
    handler = [h for h in logger.handlers
               if isinstance(h, logging.FileHandler)][0]
    handler.stream.write('before\n')
    handler.close()  # what uvicorn's dictConfig does to every handler
    assert handler.stream is None
    _reopen_log_files()
    handler.stream.write('after\n')  # as MMEngine's _dump_init_info
    handler.flush()
    assert (tmp_path / 'run.log').read_text().endswith('before\nafter\n')
