"""GPU vs CPU: the devices TensorFlow sees, where each lab trains, and a GFLOP/s benchmark per device."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.hardware import (
    OPERATIONS,
    SIZES,
    BenchmarkSettings,
    compute_devices,
    crossover,
    from_query_params,
    gpu_memory_in_use,
    host_memory_gigabytes,
    lab_devices,
    run_benchmark,
    to_query_params,
)
from ui.devices import cached_device_report
from ui.hardware_figures import TITLES, gflops_figure
from ui.lessons import lesson
from ui.links import open_lab, seed_widgets, settings_from_widgets, write_url


def devices_section() -> bool:
    """What TensorFlow sees; returns whether there is a GPU."""
    report = cached_device_report()
    memory = host_memory_gigabytes()
    rows = []
    for device in report.devices:
        if device.kind == "GPU":
            used = gpu_memory_in_use(device.name.replace("physical_device:", ""))
            detail = device.details + (f"; TensorFlow holds {used[0]:.2f} GB (peak {used[1]:.2f} GB)" if used else "")
        else:
            detail = f"{report.cpu_count} logical cores" + (f", {memory:.1f} GB of memory" if memory else "")
        rows.append({"device": device.name, "kind": device.kind, "details": detail})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(f"TensorFlow {report.tensorflow_version} · Keras {report.keras_version} · {report.platform}")
    if report.has_gpu:
        st.success(f"A GPU is visible: training runs on {report.training_device} (TensorFlow's own placement; "
                   "memory grows as needed).")
    else:
        st.info(f"**This host is CPU-only**: TensorFlow sees no GPU, so every lab trains on the CPU "
                f"({report.cpu_count} cores) and the benchmark below measures the CPU alone.")
    return report.has_gpu


def main() -> None:
    open_lab("hw", "GPU vs CPU", lesson("hardware", "intro"), from_query_params,
             lambda settings: seed_widgets("hw", settings))
    st.subheader("What TensorFlow sees")
    has_gpu = devices_section()
    st.subheader("Where each lab trains")
    # A static table wraps its text: a data grid would cut the longer explanations off.
    st.table(pd.DataFrame(lab_devices(has_gpu), columns=["lab", "device", "how"]).set_index("lab"))
    st.subheader("Benchmark")
    st.pills("Operations", list(OPERATIONS), format_func=TITLES.__getitem__, selection_mode="multi", key="hw_ops",
             persist_state="session")
    matmul, conv = st.columns(2)
    matmul.select_slider("Largest matrix", SIZES["matmul"], key="hw_matmul", persist_state="session")
    conv.select_slider("Largest feature map", SIZES["conv"], key="hw_conv", persist_state="session")
    settings = settings_from_widgets("hw", BenchmarkSettings, {"ops": tuple(st.session_state["hw_ops"] or ())})
    sizes = settings.sizes()
    devices = compute_devices()
    if st.button("Run the benchmark", icon=":material/bolt:", type="primary", disabled=not sizes, key="hw_run"):
        total = sum(len(values) for values in sizes.values()) * len(devices)
        progress = st.progress(0.0, text="Measuring…")
        done: list = []

        def landed(result) -> None:
            done.append(result)
            progress.progress(len(done) / total, text=f"{result.device} {result.operation} n = {result.size}: "
                                                      f"{result.gflops:.1f} GFLOP/s")

        st.session_state["hw_results"] = run_benchmark(sizes, devices, landed)
        progress.empty()
    results = st.session_state.get("hw_results")
    if not sizes:
        st.warning("Pick at least one operation to benchmark.")
    if results:
        st.plotly_chart(gflops_figure(results), key="hw_chart", config={"displayModeBar": False})
        for operation in dict.fromkeys(result.operation for result in results):
            best = max((result for result in results if result.operation == operation), key=lambda r: r.gflops)
            size = crossover(results, operation)
            verdict = ("no GPU to compare with" if not has_gpu else
                       f"the GPU wins from n = {size}" if size else "the CPU wins at every size measured")
            st.markdown(f"- **{TITLES[operation]}**: best {best.gflops:.1f} GFLOP/s on {best.device} at n = "
                        f"{best.size}; {verdict}.")
    else:
        st.caption("Press the button to measure (a few seconds per device).")
    st.markdown(lesson("hardware", "reading"))
    write_url(to_query_params(settings))


main()
