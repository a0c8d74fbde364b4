"""Cloze tab: fill the [MASK] words of a caption, show where they look."""
from typing import Optional, Tuple

from ..context import DemoError, guarded
from .base import DEMO_TABS, BaseTab

__all__ = ['ClozeTab']

HINT = ('The cloze needs a model with a masked-language head: start the '
        'app with --model configs/allinone/pretrain_ti_demo.py CHECKPOINT.')


@DEMO_TABS.register_module()
class ClozeTab(BaseTab):
    """Masked-word prediction with per-word heat maps over the frames
    (the paper's Figure 6; :func:`mmallinone.apis.fill_masks`)."""
    title = 'Cloze'
    order = 30

    def fill(self, video: Optional[str], text: str, method: str):
        """Markdown of the predictions and the rendered figure (PIL)."""
        import tempfile

        from PIL import Image

        from mmallinone.apis import fill_masks
        from mmallinone.visualization import render_cloze
        ctx = self.ctx
        path = ctx.video_path(video)
        model = ctx.model_for('cloze', HINT)
        text = ctx.check_text(model, text, 'caption')
        if '[MASK]' not in text.upper():
            raise DemoError('Write [MASK] where a word should be predicted, '
                            'e.g. "two people are [MASK] at a table".')
        text = text.replace('[mask]', '[MASK]')
        try:
            result = fill_masks(model, path, text, method=method, top_k=3)
        except (RuntimeError, ValueError) as err:
            raise DemoError(str(err)) from err
        lines = [f'**Filled:** {result["filled"]}', '']
        for i, cands in enumerate(result['top_k']):
            listed = ', '.join(f'{w} ({p:.3f})' for w, p in cands)
            lines.append(f'- [MASK] {i + 1}: {listed}')
        with tempfile.NamedTemporaryFile(suffix='.png') as f:
            render_cloze(result, f.name, text, method, panel=160)
            image = Image.open(f.name).copy()
        return '\n'.join(lines), image

    def build(self) -> None:
        import gradio as gr
        ctx = self.ctx
        names = [n.split('/')[-1] for n in ctx.videos()]
        with gr.Row():
            video = gr.Dropdown(names, value=names[0] if names else None,
                                label='Video', elem_id='cloze-video')
            method = gr.Radio(['attention', 'ot'], value='attention',
                              label='Heat map')
        text = gr.Textbox(label='Caption with [MASK]', elem_id='cloze-text',
                          placeholder='two people are [MASK] at a table')
        button = gr.Button('Fill', variant='primary', elem_id='cloze-button')
        words = gr.Markdown(elem_id='cloze-words')
        figure = gr.Image(label='Frames and per-word heat maps',
                          type='pil', elem_id='cloze-figure')

        def run(name, t, m) -> Tuple[str, object]:
            return self.fill(name, t, m)

        run = guarded(run)
        run.num_outputs = 2
        button.click(run, [video, text, method], [words, figure])
        text.submit(run, [video, text, method], [words, figure])
