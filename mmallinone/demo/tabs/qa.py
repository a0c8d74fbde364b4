"""Question answering tab: open-ended answers or multiple-choice scores."""
from typing import Dict, List, Optional, Tuple

from ..context import DemoError, guarded
from .base import DEMO_TABS, BaseTab

__all__ = ['QATab']

OPEN_HINT = ('Open-ended answers need a video QA model (an answer '
             'classifier): start the app with --model '
             'configs/allinone/vqa_ti_demo.py CHECKPOINT, or give candidate '
             'answers for multiple choice.')
MC_HINT = ('Multiple choice needs a model with a VTM head or a '
           'multiple-choice head (pre-training, retrieval, mc configs).')


@DEMO_TABS.register_module()
class QATab(BaseTab):
    """Answer a question about a chosen video.

    No candidates: open-ended answer classifier (``AllInOneVideoQA``), top
    answers with their probabilities. Candidates (one per line): each is
    scored (multiple-choice head, or the VTM match logit zero-shot) and the
    softmax over the candidates is shown.
    """
    title = 'Question answering'
    order = 20

    def answer(self, video: Optional[str], question: str,
               candidates: str) -> Tuple[str, Dict[str, float]]:
        """Answer Markdown and ``{answer: probability}``."""
        from mmallinone.apis import answer_question
        ctx = self.ctx
        path = ctx.video_path(video)
        cands: Optional[List[str]] = [
            c.strip() for c in (candidates or '').splitlines() if c.strip()]
        if cands:
            model = ctx.model_for('multiple_choice', MC_HINT)
            question = (question or '').strip()
            if question:
                ctx.check_text(model, question, 'question')
            for c in cands:
                ctx.check_text(model, f'{question} {c}', 'question + '
                               'candidate')
            kind = 'multiple choice'
        else:
            model = ctx.model_for('open_ended', OPEN_HINT)
            question = ctx.check_text(model, question, 'question')
            cands = None
            kind = 'open-ended'
        try:
            result = answer_question(model, path, question or None, cands,
                                     top_k=5 if cands is None else
                                     len(cands))
        except RuntimeError as err:
            raise DemoError(str(err)) from err
        text = (f'**Answer:** {result["answer"]} '
                f'(p = {result["score"]:.3f}, {kind})')
        return text, {a: float(p) for a, p in result['top_k']}

    def build(self) -> None:
        import gradio as gr
        with gr.Row():
            with gr.Column():
                video = self.video_picker('qa-video')
            with gr.Column():
                question = gr.Textbox(label='Question', elem_id='qa-question',
                                      placeholder='what are they doing?')
                candidates = gr.Textbox(
                    label='Candidates (one per line; empty: open-ended)',
                    lines=3, elem_id='qa-candidates')
                button = gr.Button('Answer', variant='primary',
                                   elem_id='qa-button')
                answer = gr.Markdown(elem_id='qa-answer')
                scores = gr.Label(label='Probabilities', elem_id='qa-scores')

        def run(name, q, c):
            return self.answer(name, q, c)

        run = guarded(run)
        run.num_outputs = 2
        button.click(run, [video, question, candidates], [answer, scores])
        question.submit(run, [video, question, candidates], [answer, scores])
