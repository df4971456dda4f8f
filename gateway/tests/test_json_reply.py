"""json_reply sends the bytes FastAPI would send for the same to_json dict (jsonable_encoder, JSONResponse)."""

from __future__ import annotations

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from google.protobuf import json_format

from ywtb.api.catalog.v1 import catalog_pb2 as pb
from ywtb.gateway.contract.examples import message_example
from ywtb.gateway.routes.grpc_json import json_reply, to_json


def test_a_guide_reply_is_byte_for_byte_what_fastapi_renders() -> None:
    guide = json_format.ParseDict(message_example(pb.GuideVersion.DESCRIPTOR), pb.GuideVersion())
    content = to_json(guide)
    assert any(ord(c) > 0x4E00 for c in json_reply(content).body.decode())  # Chinese text, not \\u escapes
    reply = json_reply(content)
    assert reply.body == JSONResponse(jsonable_encoder(content)).body
    assert reply.status_code == 200 and reply.media_type == "application/json"
