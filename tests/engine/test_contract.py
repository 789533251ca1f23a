"""The lab contract: every kind of run a page trains is a ``Run``, with the capabilities it claims."""

from engine.rl.run import AgentRun
from engine.rl.settings import AgentSettings
from engine.training.contract import DIVERGED, READY, STOPPED, ChunkResult, Compilable, Run, SlowMotion, Status
from engine.training.group import RunGroup
from tests.engine.test_run import make_run


def test_every_kind_of_run_keeps_the_contract_and_says_what_else_it_can_do():
    single, group = make_run(), RunGroup({"a": make_run(), "b": make_run()})
    agent = AgentRun(AgentSettings(environment="FrozenLake-v1", agent="q_learning"))
    for run in (single, group, agent):
        assert isinstance(run, Run)
        assert run.status is READY and run.advance(1).status is READY and run.epoch >= 1
    assert isinstance(single, Compilable) and isinstance(single, SlowMotion)
    assert isinstance(group, Compilable) and isinstance(group, SlowMotion)
    assert isinstance(agent, Compilable) and not isinstance(agent, SlowMotion)  # a deep agent's update compiles
    assert agent.compiled  # a table has nothing to compile


def test_a_status_reads_as_its_word_and_results_add_up():
    assert Status("diverged") is DIVERGED and str(DIVERGED) == "diverged" and READY not in STOPPED
    assert ChunkResult(3, READY).then(ChunkResult(2, DIVERGED, "NaN")) == ChunkResult(5, DIVERGED, "NaN")
