"""The podman configuration and the image names of ywtb.common.containers."""

from __future__ import annotations

import re
import resource

from ywtb.common.containers import CHART_SECURITY, config_file, image_of, run_args


def test_the_config_uses_runc_cgroupfs_and_ulimits_the_host_allows() -> None:
    text = config_file().read_text()
    assert (
        'runtime = "runc"' in text
        and 'cgroup_manager = "cgroupfs"' in text
        and 'events_logger = "file"' in text
    )
    nofile, nproc = (int(v) for v in re.findall(r'"nofile=(\d+):\d+", "nproc=(\d+):\d+"', text)[0])
    hard_nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    assert nofile <= hard_nofile or hard_nofile == resource.RLIM_INFINITY
    assert nproc <= 4096


def test_images_are_named_as_the_chart_names_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("YWTB_IMAGE_REPOSITORY", raising=False)
    monkeypatch.delenv("YWTB_IMAGE_TAG", raising=False)
    assert re.fullmatch(r"localhost/ywtb/ywtb-intake:\d+\.\d+\.\d+", image_of("intake"))
    monkeypatch.setenv("YWTB_IMAGE_REPOSITORY", "registry.gov.example.cn/ywtb/ywtb")
    monkeypatch.setenv("YWTB_IMAGE_TAG", "1.4.2")
    assert image_of("portal") == "registry.gov.example.cn/ywtb/ywtb-portal:1.4.2"


def test_a_container_runs_with_the_charts_security_context() -> None:
    args = run_args("c", "img:1", {"YWTB_X_MODE": "embedded"}, ["/d:/d"])
    assert {"--user=10001:10001", "--read-only", "--cap-drop=all", "--security-opt=no-new-privileges"} <= set(
        args
    )
    assert set(CHART_SECURITY) <= set(args) and "--network=host" in args and "--rm" in args
    assert args[-1] == "img:1" and "--env=YWTB_X_MODE=embedded" in args and "--volume=/d:/d" in args
    assert "--rm" not in run_args("c", "img:1", {}, detach=True)  # kept for its logs
