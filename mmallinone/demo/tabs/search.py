"""Search tab: type a text, see the top-k clips (or windows) with scores."""
import html
from typing import List, Tuple

from ..context import DemoError, guarded
from .base import DEMO_TABS, BaseTab

__all__ = ['SearchTab']


def _fmt_time(seconds: float) -> str:
    minutes, sec = divmod(seconds, 60)
    return f'{int(minutes)}:{sec:04.1f}'


@DEMO_TABS.register_module()
class SearchTab(BaseTab):
    """Text-to-video search over the folder (:class:`VideoIndex`).

    The folder is refreshed before every search, so new or changed files
    are encoded (once; the rest comes from the cache) and removed ones
    dropped. Each result is a player that starts at the matched window.
    """
    title = 'Search'
    order = 10

    def search(self, query: str, top_k: int) -> Tuple[str, List]:
        """Status Markdown and the ranked hits (at most ``top_k``)."""
        ctx = self.ctx
        if ctx.index is None:
            raise DemoError('No loaded model can search: give a retrieval '
                            'or pre-training checkpoint.')
        query = ctx.check_text(ctx.index.model, query)
        stats = ctx.refresh()
        if not ctx.index.entries:
            raise DemoError('No readable video in the folder.\n\n' +
                            ctx.skipped_text())
        hits = ctx.index.search(query, top_k=int(top_k),
                                suppress_overlaps=ctx.window is not None)
        what = 'cosine similarity' if ctx.index.mode == 'embed' else \
            'VTM match probability'
        windows = (f', {stats["windows"]} windows of {ctx.window:g} s'
                   if ctx.window else '')
        status = (f'{len(ctx.index.entries)} videos indexed{windows} '
                  f'({stats["encoded"]} encoded now, {stats["cached"]} from '
                  f'the cache); score: {what}.')
        skipped = ctx.skipped_text()
        if skipped:
            status += '\n\n' + skipped
        return status, hits

    @staticmethod
    def table(hits) -> str:
        """HTML table of the hits (rank, video, start, end, score)."""
        rows = ''.join(
            f'<tr><td>{i + 1}</td><td class="video">{html.escape(h.name)}'
            f'</td><td class="start">{h.start:.1f}</td>'
            f'<td class="end">{h.end:.1f}</td>'
            f'<td class="score">{h.score:.4f}</td></tr>'
            for i, h in enumerate(hits))
        return ('<table id="search-table"><thead><tr><th>#</th><th>video'
                '</th><th>start (s)</th><th>end (s)</th><th>score</th></tr>'
                f'</thead><tbody>{rows}</tbody></table>')

    def build(self) -> None:
        import gradio as gr
        ctx = self.ctx
        with gr.Row():
            query = gr.Textbox(label='Query', elem_id='search-query',
                               placeholder='two people arm wrestling',
                               scale=4)
            top_k = gr.Slider(1, ctx.top_k, value=min(3, ctx.top_k), step=1,
                              label='top-k', scale=1)
        button = gr.Button('Search', variant='primary',
                           elem_id='search-button')
        status = gr.Markdown(elem_id='search-status')
        table = gr.HTML(elem_id='search-results')
        players = []
        with gr.Row():
            for i in range(ctx.top_k):
                players.append(gr.Video(visible=False, interactive=False,
                                        elem_id=f'search-video-{i}',
                                        label=f'#{i + 1}'))

        def run(text, k):
            status_md, hits = self.search(text, k)
            updates = []
            for i in range(ctx.top_k):
                if i < len(hits):
                    h = hits[i]
                    label = (f'#{i + 1} {h.name}  {_fmt_time(h.start)}-'
                             f'{_fmt_time(h.end)}  score {h.score:.3f}')
                    updates.append(gr.update(
                        value=h.path, label=label, visible=True,
                        playback_position=h.start))
                else:
                    updates.append(gr.update(value=None, visible=False))
            return (status_md, self.table(hits), *updates)

        run = guarded(run)
        run.num_outputs = 2 + ctx.top_k
        outputs = [status, table, *players]
        button.click(run, [query, top_k], outputs)
        query.submit(run, [query, top_k], outputs)





