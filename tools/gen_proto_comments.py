"""Generate shared/api/src/ywtb/api/comments.json: each proto element's leading comment, by full name.

The runtime descriptors carry no comments; the gateway's OpenAPI takes its descriptions from this file.
`make protos` writes it and `make check-protos` fails when the checked-in file differs.
"""

from __future__ import annotations

import json
import sys
import tempfile
from importlib import resources
from pathlib import Path

from google.protobuf import descriptor_pb2
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "shared" / "api" / "src" / "ywtb" / "api" / "comments.json"
# For each kind of node in descriptor.proto: field number -> (attribute holding the children, their kind).
CHILDREN = {
    "file": {4: ("message_type", "message"), 5: ("enum_type", "enum"), 6: ("service", "service")},
    "message": {2: ("field", "field"), 3: ("nested_type", "message"), 4: ("enum_type", "enum")},
    "enum": {2: ("value", "value")},
    "service": {2: ("method", "method")},
}


def _descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    files = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.binpb"
        well_known = resources.files("grpc_tools") / "_proto"  # google/protobuf/*.proto
        args = ["protoc", f"--proto_path={PROTOS}", f"--proto_path={well_known}", "--include_source_info"]
        args.append(f"--descriptor_set_out={out}")
        if protoc.main([*args, *files]) != 0:
            sys.exit("gen_proto_comments: protoc failed")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def _name(file: descriptor_pb2.FileDescriptorProto, path: list[int]) -> str | None:
    """The full name of the element at a source-info path, or None for paths that name no element."""
    if not path or len(path) % 2:
        return None
    name, node, kind = file.package, file, "file"
    for tag, index in zip(path[::2], path[1::2], strict=True):
        child = CHILDREN.get(kind, {}).get(tag)
        if child is None:
            return None
        attribute, kind = child
        node = getattr(node, attribute)[index]
        name = f"{name}.{node.name}"  # enum values are named under their enum here
    return name


def comments() -> dict[str, str]:
    """Full name -> leading comment (whitespace-joined lines) of every commented proto element."""
    found: dict[str, str] = {}
    for file in _descriptor_set().file:
        if not file.package.startswith("ywtb."):
            continue
        for location in file.source_code_info.location:
            text = " ".join(line.strip() for line in location.leading_comments.strip().splitlines())
            name = _name(file, list(location.path)) if text else None
            if name:
                found[name] = text
    return dict(sorted(found.items()))


def main() -> None:
    OUT.write_text(json.dumps(comments(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"gen_proto_comments: wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
