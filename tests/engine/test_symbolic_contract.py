"""The symbolic client/worker contract: typed msgpack both ways, malformed requests named by field."""

from __future__ import annotations

import msgspec
import pytest

from dlcheck.symbolic.protocol import (
    RESPONSE_KEYS, MalformedRequest, SymbolicRequest, decode_request, decode_response, encode_request,
    encode_response, error_response,
)


def test_a_request_round_trips():
    request = SymbolicRequest(answer="x", reference="x", mistakes=[], seed=2**62)
    assert decode_request(encode_request(request)) == request


@pytest.mark.parametrize("request_data, problem", [
    ({"answer": "x"}, "'reference' must be a string"),
    ({"answer": 1, "reference": "x"}, "'answer' must be a string"),
    ({"answer": "x", "reference": "x", "seed": True}, "'seed' must be an integer"),
    ({"answer": "x", "reference": "x", "mistakes": "nope"}, "'mistakes' must be a list of {id, expr, variants}"),
    (["answer"], "the request must be a map of fields"),
])
def test_malformed_requests_name_the_field(request_data, problem):
    with pytest.raises(MalformedRequest, match=problem.replace("{", r"\{").replace("}", r"\}")):
        decode_request(msgspec.msgpack.encode(request_data))


def test_bytes_that_are_not_msgpack_are_a_malformed_request():
    with pytest.raises(MalformedRequest, match="not msgpack"):
        decode_request(b"\xc1")


def test_replies_are_checked_against_the_schema_both_ways():
    reply = decode_response(encode_response(error_response("no")))
    assert reply["status"] == "error" and set(reply) == set(RESPONSE_KEYS)
    with pytest.raises(msgspec.ValidationError):
        encode_response({"status": "maybe", "message": "x"})  # the worker never sends what it would refuse
    assert decode_response(msgspec.msgpack.encode({"status": "pass", "message": 3})) is None
    assert decode_response(b"not msgpack at all") is None
