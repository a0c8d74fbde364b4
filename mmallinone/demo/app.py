"""Build and launch the demo page from a :class:`DemoContext`."""
import os.path as osp
from typing import Optional

from .context import DemoContext, DemoError
from .tabs import ordered_tabs

__all__ = ['build_demo', 'launch']


def build_demo(ctx: DemoContext):
    """The Gradio ``Blocks`` of the demo: one tab per registered tab class.

    The folder is indexed first (new or changed files are encoded; the rest
    is read from the cache), so start-up reports skipped videos once.
    """
    import gradio as gr
    if ctx.index is not None:
        try:
            ctx.refresh()
        except DemoError:
            pass  # shown by the Search tab on use
    models = '; '.join(e.name for e in ctx.models)
    windows = (f' as windows of {ctx.window:g} s every '
               f'{(ctx.stride or ctx.window):g} s' if ctx.window else '')
    with gr.Blocks(title='MMAllInOne demo') as demo:
        gr.Markdown(f'## MMAllInOne demo\nVideos: `{ctx.video_dir}`'
                    f'{windows}. Models: {models}.')
        skipped = ctx.skipped_text()
        gr.Markdown(skipped, elem_id='skipped-videos', visible=bool(skipped))
        with gr.Tabs():
            for tab in ordered_tabs(ctx):
                with gr.Tab(tab.title, id=type(tab).__name__):
                    tab.build()
    return demo


def _reopen_log_files() -> None:
    """Reopen the log files that starting the web server closed.

    Gradio's server (uvicorn) configures logging with
    ``logging.config.dictConfig``, which closes every existing handler (and
    forgets them), so MMEngine's ``FileHandler`` of the process's runs is
    left with no stream (MMEngine writes to ``handler.stream`` directly).
    Reopen the file handlers of MMEngine's loggers and of the standard
    loggers in append mode, so a process that serves the demo can still
    build and log models.
    """
    import logging

    from mmengine.logging import MMLogger
    loggers = list(MMLogger._instance_dict.values())
    loggers += [logging.getLogger()] + [
        lg for lg in logging.Logger.manager.loggerDict.values()
        if isinstance(lg, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.FileHandler) and \
                    handler.stream is None:
                handler.mode = 'a'
                handler.stream = handler._open()


def launch(ctx: DemoContext,
           host: str = '127.0.0.1',
           port: Optional[int] = None,
           share: bool = False,
           block: bool = True):
    """Build the page and serve it; prints the local URL.

    Args:
        ctx (DemoContext): The demo's models and folder.
        host (str): Address to bind. Defaults to ``'127.0.0.1'`` (this
            machine only).
        port (int, optional): Port; None lets Gradio pick a free one from
            7860.
        share (bool): Ask Gradio for a public ``*.gradio.live`` link (the
            page is then reachable from the internet). Defaults to False.
        block (bool): Serve until interrupted. Defaults to True.

    Returns:
        gr.Blocks: The running demo (``demo.local_url``).
    """
    demo = build_demo(ctx)
    allowed = {ctx.video_dir}
    for path in ctx.videos():
        allowed.add(osp.dirname(osp.realpath(path)))
    demo.queue(default_concurrency_limit=1)
    demo.launch(server_name=host, server_port=port, share=share,
                allowed_paths=sorted(allowed), prevent_thread_lock=True,
                quiet=True, show_error=False)
    _reopen_log_files()
    print(f'MMAllInOne demo running on {demo.local_url}', flush=True)
    if share and getattr(demo, 'share_url', None):
        print(f'public link: {demo.share_url}', flush=True)
    if block:
        demo.block_thread()
    return demo
