"""AppTest: the RL lab (step, replay, gridworld values, live cell edits, links) and the hardware page."""

from tests.pages.test_pages import figure, metric, open_page, plotted, url_settings


def test_rl_lab_steps_an_episode_and_replays_one():
    app = open_page("rl_lab.py")
    assert not app.exception
    assert metric(app, "Episode") == "0"
    app.button(key="rl_step").click().run()
    assert metric(app, "Episode") == "1"
    rewards = figure(app, "rl_rewards")
    assert len(plotted(rewards["data"][0]["y"])) == 1
    assert rewards["layout"]["shapes"][0]["y0"] == 475  # CartPole-v1's solved line
    app.button(key="rl_record").click().run()
    replay = figure(app, "rl_replay")
    caption = next(item.value for item in app.caption if "steps, return" in item.value)
    steps = int(caption.split()[0])
    assert len(replay["frames"]) == steps + 1
    assert url_settings(app)["env"] == "CartPole-v1"


def test_rl_lab_gridworld_shows_values_and_takes_a_cell_edit_live():
    app = open_page("rl_lab.py", {"env": "Gridworld", "agent": "q_learning"})
    assert not app.exception and not app.warning
    for _ in range(3):
        app.button(key="rl_step").click().run()
    assert metric(app, "Episode") == "3"
    values = figure(app, "rl_values")
    assert values["data"][0]["type"] == "heatmap"
    app.selectbox(key="rl_cell_kind").set_value("empty")
    app.number_input(key="rl_cell_row").set_value(2)
    app.number_input(key="rl_cell_column").set_value(3)
    app.button(key="rl_paint").click().run()
    assert not app.exception
    assert "-1" not in url_settings(app)["grid"]
    assert metric(app, "Episode") == "3"  # same size: the agent kept its progress
    app.button(key="rl_step").click().run()
    assert metric(app, "Episode") == "4"


def test_rl_lab_link_settings_are_clamped_and_a_bad_grid_says_why():
    app = open_page("rl_lab.py", {"env": "Gridworld", "agent": "sarsa", "gamma": "3", "grid": "S . #"})
    assert not app.exception
    warnings = " ".join(item.value for item in app.warning)
    assert "gamma" in warnings and "grid" in warnings
    assert app.slider(key="rl_gamma").value == 1.0
    app.text_area(key="rl_grid").set_value("S . x G1").run()
    assert any("Unknown cell" in item.value for item in app.error)
    assert not app.exception


def test_hardware_page_says_cpu_only_and_benchmarks():
    app = open_page("hardware.py", {"ops": "matmul", "matmul": "128"})
    assert not app.exception
    assert any("CPU-only" in item.value for item in app.info)
    where = app.table[0].value  # a static table: its long explanations wrap instead of being cut off
    assert "Reinforcement learning" in where.index and set(where["device"]) == {"CPU:0"}
    app.button(key="hw_run").click().run()
    chart = figure(app, "hw_chart")
    assert [list(plotted(trace["x"])) for trace in chart["data"]] == [[64, 128]]
    assert all(value > 0 for value in plotted(chart["data"][0]["y"]))
    assert url_settings(app)["ops"] == "matmul"


def test_the_default_agent_is_actor_critic_and_choosing_dqn_explains_its_wobble():
    app = open_page("rl_lab.py")
    assert app.selectbox(key="rl_agent").value == "actor_critic" and app.select_slider(key="rl_batch").value == 256
    assert not any("Expect DQN to wobble" in item.value for item in app.info)
    app.selectbox(key="rl_agent").set_value("dqn").run()
    assert any("Expect DQN to wobble" in item.value for item in app.info)
    assert app.select_slider(key="rl_batch").value == 128  # DQN's own minibatch
    assert app.select_slider(key="rl_lr").value == 2.5e-4


def test_value_agents_draw_the_greedy_policy_unless_asked_for_the_exploring_one():
    app = open_page("rl_lab.py", {"env": "Gridworld", "agent": "q_learning", "eps1": "0.5"})
    app.button(key="rl_step").click().run()
    arrows = [trace for trace in figure(app, "rl_values")["data"] if trace.get("marker", {}).get("symbol") == "arrow"]
    greedy = len(plotted(arrows[0]["x"]))
    assert "greedy policy" in figure(app, "rl_values")["layout"]["title"]["text"]
    app.toggle(key="rl_exploring_arrows").set_value(True).run()
    assert "ε-greedy probabilities" in figure(app, "rl_values")["layout"]["title"]["text"]
    arrows = [trace for trace in figure(app, "rl_values")["data"] if trace.get("marker", {}).get("symbol") == "arrow"]
    assert len(plotted(arrows[0]["x"])) > greedy  # with ε ≈ 1 every action gets an arrow, not only the best


def test_every_gridworld_cell_is_a_click_target():  # the click itself: tests/browser/test_rl_browser.py
    app = open_page("rl_lab.py", {"env": "Gridworld", "agent": "q_learning"})
    picks = [trace for trace in figure(app, "rl_values")["data"] if trace.get("name") == "pick"]
    assert picks and len(plotted(picks[0]["x"])) == 5 * 7  # one per cell of the Detour grid
