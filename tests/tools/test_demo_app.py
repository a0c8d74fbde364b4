"""tools/demo/app.py in a real headless Chromium (Playwright).

The app runs in this process on a free loopback port with a tiny retrieval
model trained to tell the demo videos apart (search), a tiny QA model
(open-ended answers) and a tiny pre-training model (cloze). The browser
types a query, checks the expected clip is first and that its player
starts at the matched window, asks a question and reads the answer, and
tries the bad inputs (empty query, a query longer than the text table, a
broken video in the folder). Skipped, with the reason, when Playwright or
Chromium is missing.
"""
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))

from tiny_models import DEMO, tiny_checkpoint, tiny_config  # noqa: E402

CHROMIUM = os.environ.get('CHROMIUM', shutil.which('chromium') or
                          '/usr/bin/chromium')
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync']
NAMES = ['arm_wrestling.mp4', 'basketball_gym.mp4', 'eye_makeup.avi',
         'pool_cleaning.mp4', 'two_men_greeting_1080p.mp4']


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM,
                                      headless=True, args=FLAGS)


@pytest.mark.slow
def test_app_in_headless_chromium(tmp_path):
    sync_api = pytest.importorskip(
        'playwright.sync_api', reason='playwright is not installed '
        '(pip install playwright; the browser is Debian\'s chromium)')
    pytest.importorskip('gradio', reason='gradio is not installed')
    if not osp.isfile(CHROMIUM):
        pytest.skip(f'no Chromium at {CHROMIUM} (apt-get install chromium, '
                    'or set CHROMIUM=/path/to/chrome)')
    from trained_tiny import train_tiny_retrieval

    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'demo_app', osp.join(REPO, 'tools', 'demo', 'app.py'))
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    folder = tmp_path / 'videos'
    folder.mkdir()
    for name in NAMES:
        shutil.copy(osp.join(DEMO, name), folder / name)
    (folder / 'broken.mp4').write_bytes(b'\x00' * 200)
    cfg, ckpt = train_tiny_retrieval()
    vqa = tiny_config('vqa_ti_demo.py', str(tmp_path))
    pre = tiny_config('pretrain_ti_demo.py', str(tmp_path))
    port = _free_port()
    import logging

    from mmengine.logging import MMLogger
    log_file = [h for h in MMLogger.get_instance(
        'demo_app_test', log_file=str(tmp_path / 'process.log')).handlers
        if isinstance(h, logging.FileHandler)][0]
    demo = app.main([
        cfg, ckpt, '--videos', str(folder), '--model', vqa,
        tiny_checkpoint(vqa, str(tmp_path)), '--model', pre,
        tiny_checkpoint(pre, str(tmp_path)), '--window', '2', '--stride',
        '1', '--port', str(port), '--cache', str(tmp_path / 'cache.pth')
    ], block=False)
    url = f'http://127.0.0.1:{port}/'
    assert demo.local_url == url
    # starting the server (uvicorn's dictConfig) closes every log handler;
    # the app reopens MMEngine's log files so this process can still log
    assert log_file.stream is not None
    try:
        with sync_api.sync_playwright() as p:
            browser = _browser(p)
            page = browser.new_page(viewport=dict(width=1280, height=1000))
            page.goto(url)
            # the broken video is listed on the page
            skipped = page.locator('#skipped-videos')
            skipped.wait_for(timeout=30_000)
            assert 'broken.mp4' in skipped.inner_text()

            status = page.locator('#search-status')
            # empty query: a message, no results
            page.click('#search-button')
            page.wait_for_function(
                "document.querySelector('#search-status').innerText"
                ".includes('empty')", timeout=30_000)
            # longer than the 40-token text table
            page.fill('#search-query textarea', 'people ' * 60)
            page.click('#search-button')
            page.wait_for_function(
                "document.querySelector('#search-status').innerText"
                ".includes('too long')", timeout=30_000)

            page.fill('#search-query textarea',
                      'two people arm wrestling across a table')
            page.click('#search-button')
            first = page.locator('#search-table tbody tr').first
            first.wait_for(timeout=60_000)
            assert first.locator('td.video').inner_text() == \
                'arm_wrestling.mp4'
            assert 'broken.mp4' in status.inner_text()
            start = float(first.locator('td.start').inner_text())
            # the first player is loaded at the matched time
            page.wait_for_function(
                "() => { const v = document.querySelector("
                "'#search-video-0 video'); return v && v.readyState >= 1 "
                "&& Math.abs(v.currentTime - %f) < 0.3; }" % start,
                timeout=60_000)
            page.screenshot(path=str(tmp_path / 'search.png'))

            page.get_by_role('tab', name='Question answering').click()
            page.fill('#qa-question textarea', 'what are they doing?')
            page.fill('#qa-candidates textarea',
                      'arm wrestling\ncleaning a pool')
            page.click('#qa-button')
            page.wait_for_function(
                "document.querySelector('#qa-answer').innerText"
                ".includes('Answer:')", timeout=60_000)
            answer = page.locator('#qa-answer').inner_text()
            assert 'multiple choice' in answer
            assert 'arm wrestling' in answer or 'cleaning a pool' in answer
            page.fill('#qa-candidates textarea', '')
            page.click('#qa-button')
            page.wait_for_function(
                "document.querySelector('#qa-answer').innerText"
                ".includes('open-ended')", timeout=60_000)
            page.screenshot(path=str(tmp_path / 'qa.png'))

            page.get_by_role('tab', name='Cloze').click()
            page.fill('#cloze-text textarea', 'two people are [MASK] here')
            page.click('#cloze-button')
            page.wait_for_function(
                "document.querySelector('#cloze-words').innerText"
                ".includes('Filled:')", timeout=60_000)
            page.locator('#cloze-figure img').wait_for(timeout=30_000)
            page.screenshot(path=str(tmp_path / 'cloze.png'))
            browser.close()
    finally:
        demo.close()
    assert osp.getsize(tmp_path / 'search.png') > 10_000


@pytest.mark.slow  # a subprocess run
def test_missing_checkpoint_is_a_clear_startup_error(tmp_path):
    cfg = tiny_config('retrieval_ti_demo.py', str(tmp_path))
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'demo', 'app.py'), cfg,
         str(tmp_path / 'missing.pth'), '--videos', DEMO],
        capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2
    assert 'error: Checkpoint not found' in proc.stderr
    assert 'missing.pth' in proc.stderr and 'Traceback' not in proc.stderr
