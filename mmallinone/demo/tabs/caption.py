"""Caption tab: a caption for a chosen video (captioning models only)."""
from typing import Optional, Tuple

from ..context import DemoError, guarded
from .base import DEMO_TABS, BaseTab

__all__ = ['CaptionTab']

HINT = ('Captioning needs a captioning model: start the app with --model '
        'configs/allinone/caption_ti_demo.py CHECKPOINT.')


@DEMO_TABS.register_module()
class CaptionTab(BaseTab):
    """Caption a chosen video with ``mmallinone.apis.caption_video``.

    Shown only when one of the loaded models can caption (has
    ``generate``); decoding uses the model config's ``decode_cfg`` with the
    strategy and beam size chosen on the page.
    """
    title = 'Caption'
    order = 40

    @classmethod
    def visible(cls, ctx) -> bool:
        return ctx is not None and ctx.entry_for('caption') is not None

    def caption(self, video: Optional[str], strategy: str,
                beam_size: float) -> Tuple[str, str]:
        """Caption Markdown and the decoding details."""
        from mmallinone.apis import caption_video
        ctx = self.ctx
        path = ctx.video_path(video)
        model = ctx.model_for('caption', HINT)
        overrides = dict(strategy=strategy)
        if strategy == 'beam':
            overrides['beam_size'] = max(1, int(beam_size))
        try:
            result = caption_video(model, path, **overrides)
        except (RuntimeError, ValueError) as err:
            raise DemoError(str(err)) from err
        details = (f'{strategy} search, {len(result["tokens"])} tokens, '
                   f'score {result["score"]:.3f}')
        return f'**Caption:** {result["caption"]}', details

    def build(self) -> None:
        import gradio as gr
        with gr.Row():
            with gr.Column():
                video = self.video_picker('caption-video')
            with gr.Column():
                strategy = gr.Radio(['beam', 'greedy'], value='beam',
                                    label='Decoding',
                                    elem_id='caption-strategy')
                beam = gr.Slider(1, 8, value=3, step=1, label='Beam size')
                button = gr.Button('Caption', variant='primary',
                                   elem_id='caption-button')
                caption = gr.Markdown(elem_id='caption-text')
                details = gr.Markdown(elem_id='caption-details')

        def run(name, s, b):
            return self.caption(name, s, b)

        run = guarded(run)
        run.num_outputs = 2
        button.click(run, [video, strategy, beam], [caption, details])
