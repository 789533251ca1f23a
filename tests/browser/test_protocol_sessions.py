"""Sessions driven over Streamlit's WebSocket protocol, as ``bench/load.py`` drives them.

No browser: the clients speak the protocol directly, press Play and ask for the live
fragment's reruns, which is what the load bench measures; this checks the clients (and the
live path behind them) really see training progress.
"""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from bench.load import protocol_sessions


def test_protocol_clients_press_play_and_see_every_session_keep_updating(server):
    measuring = threading.Event()
    # A thread of its own: Playwright's synchronous API keeps an event loop on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        counts = pool.submit(asyncio.run, protocol_sessions(server, sessions=2, seconds=4.0, measuring=measuring)).result()
    assert measuring.is_set()
    assert all(frames > 0 for frames in counts.frames)
    # Two sessions on the test machine redraw several times a second; each frame shows a new epoch.
    assert all(updates >= 4 for updates in counts.updates), counts.updates
