"""The component registry: the repository's file is valid; each kind of inconsistency is refused."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from ywtb.common.components import RegistryError, load_components, parse_components

ROOT = Path(__file__).resolve().parents[3]
FILE = ROOT / "deploy" / "components.yaml"
TOPICS = {"ywtb.intake.case.v1", "ywtb.catalog.item.v1"}


def _data() -> dict:
    return copy.deepcopy(yaml.safe_load(FILE.read_text()))


def test_the_repository_registry_is_valid() -> None:
    registry = load_components(FILE)
    assert [c.name for c in registry.services()][:4] == ["identity", "catalog", "intake", "approval"]
    assert registry["intake"].target() == "127.0.0.1:50063"
    assert registry["intake"].target(offset=100) == "127.0.0.1:50163"
    assert registry["gateway"].ports.http == 8000 and not registry["gateway"].is_grpc
    assert "portal" in registry and registry["portal"].calls == ("gateway",)


def test_every_component_has_a_workspace_folder_and_package() -> None:
    for c in load_components(FILE):
        pyproject = ROOT / c.path / "pyproject.toml"
        assert pyproject.exists(), c.path
        assert f'name = "{c.package}"' in pyproject.read_text()
        assert (ROOT / c.path / "src" / "ywtb" / c.name / "__main__.py").exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["components"]["catalog"]["ports"].update(grpc=50061),
            "port 50061 is already identity's",
        ),
        (
            lambda d: d["components"]["intake"].update(calls=["nosuchpeer"]),
            "'nosuchpeer' is not another component",
        ),
        (
            lambda d: d["components"]["intake"].update(env_prefix="YWTB_CASE_"),
            "env_prefix must be YWTB_INTAKE_",
        ),
        (lambda d: d["components"]["intake"].update(module="ywtb.cases"), "module must be ywtb.intake"),
        (lambda d: d["components"]["approval"].update(consumes=["ywtb.intake.cases.v1"]), "not a topic"),
        (
            lambda d: d["components"]["approval"].update(publishes=["ywtb.intake.case.v1"]),
            "not a topic of approval",
        ),
        (lambda d: d["components"]["approval"]["ports"].update(http=8001), "exactly one of grpc and http"),
        (lambda d: d["components"]["approval"].pop("api"), "api (package.Service) is required"),
        (lambda d: d["components"]["approval"].update(backends=["mysql"]), "backends"),
        (lambda d: d["components"]["approval"].update(colour="blue"), "colour"),
        (lambda d: d["components"].update(Bad={}), "Bad"),
    ],
)
def test_an_inconsistent_registry_is_refused(edit, message: str) -> None:
    data = _data()
    edit(data)
    with pytest.raises(RegistryError) as caught:
        parse_components(data, FILE, TOPICS | {"ywtb.approval.case.v1"} | _all_topics())
    assert message in str(caught.value)


def _all_topics() -> set[str]:
    return {t for c in _data()["components"].values() for t in (c.get("publishes") or [])}


def test_the_file_path_comes_from_the_environment(tmp_path, monkeypatch) -> None:
    path = tmp_path / "components.yaml"
    path.write_text(FILE.read_text())
    monkeypatch.setenv("YWTB_COMPONENTS_FILE", str(path))
    from ywtb.common.components import default_path

    assert default_path() == path
    assert load_components().path == path  # no topics.yaml beside it: topics are not checked


def test_an_unreadable_file_names_itself(tmp_path) -> None:
    with pytest.raises(RegistryError, match="cannot read the component registry"):
        load_components(tmp_path / "missing.yaml")
