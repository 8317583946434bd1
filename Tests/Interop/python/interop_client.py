#!/usr/bin/env python3
"""A gRPC interop test client (grpcio), per grpc/grpc doc/interop-test-descriptions.md.

Runs one or more of the standard interop cases against a grpc.testing.TestService server over
mutual TLS (or plaintext with --use_tls=false). The Python stubs are generated with grpcio-tools
at run time from proto/grpc/testing into --stubs_dir (a temp dir when not given): nothing
generated is committed. Prints "PASS <case>" per passing case; exits non-zero on the first failure.
"""
import argparse
import importlib
import os
import sys
import tempfile
import time

import grpc

CASES = [
    "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
    "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
    "unimplemented_service", "cancel_after_begin", "cancel_after_first_response",
    "timeout_on_sleeping_server",
]


def generate_stubs(proto_root, out_dir):
    """Generates grpc/testing/*_pb2*.py into out_dir with grpcio-tools and makes them importable."""
    from grpc_tools import protoc
    import grpc_tools
    os.makedirs(out_dir, exist_ok=True)
    marker = os.path.join(out_dir, "grpc", "testing", "test_pb2_grpc.py")
    if not os.path.exists(marker):
        include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        files = [os.path.join("grpc", "testing", f) for f in ("empty.proto", "messages.proto", "test.proto")]
        args = ["protoc", "-I" + proto_root, "-I" + include, "--python_out=" + out_dir,
                "--grpc_python_out=" + out_dir] + files
        if protoc.main(args) != 0:
            raise SystemExit("grpc_tools.protoc failed for " + " ".join(files))
    # The generated modules live in the package grpc.testing, but `grpc` is grpcio itself: extend
    # its search path so that grpc.testing resolves to the generated folder.
    grpc.__path__.append(os.path.join(out_dir, "grpc"))
    empty = importlib.import_module("grpc.testing.empty_pb2")
    messages = importlib.import_module("grpc.testing.messages_pb2")
    test_grpc = importlib.import_module("grpc.testing.test_pb2_grpc")
    return empty, messages, test_grpc


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_error(call, code, details=None):
    try:
        result = call()
        if hasattr(result, "__iter__") and not isinstance(result, (bytes, str)):
            list(result)
    except grpc.RpcError as error:
        check(error.code() == code, "expected %s, got %s: %r" % (code, error.code(), error.details()))
        if details is not None:
            check(error.details() == details, "expected details %r, got %r" % (details, error.details()))
        return error
    raise AssertionError("expected %s, the call succeeded" % code)


class Cases:
    def __init__(self, channel, empty, messages, test_grpc):
        self.channel = channel
        self.empty = empty
        self.m = messages
        self.stub = test_grpc.TestServiceStub(channel)
        self.unimplemented_stub = test_grpc.UnimplementedServiceStub(channel)

    def payload(self, size):
        return self.m.Payload(body=b"\x00" * size)

    def empty_unary(self):
        response = self.stub.EmptyCall(self.empty.Empty(), timeout=10)
        check(isinstance(response, self.empty.Empty), "EmptyCall returned %r" % response)

    def large_unary(self):
        request = self.m.SimpleRequest(response_size=314159, payload=self.payload(271828))
        response = self.stub.UnaryCall(request, timeout=10)
        check(len(response.payload.body) == 314159, "payload size %d" % len(response.payload.body))
        check(response.payload.body == b"\x00" * 314159, "payload is not all zeros")

    def client_streaming(self):
        sizes = [27182, 8, 1828, 45904]
        requests = (self.m.StreamingInputCallRequest(payload=self.payload(s)) for s in sizes)
        response = self.stub.StreamingInputCall(requests, timeout=10)
        check(response.aggregated_payload_size == 74922, "aggregated %d" % response.aggregated_payload_size)

    def server_streaming(self):
        sizes = [31415, 9, 2653, 58979]
        request = self.m.StreamingOutputCallRequest(
            response_parameters=[self.m.ResponseParameters(size=s) for s in sizes])
        got = [len(r.payload.body) for r in self.stub.StreamingOutputCall(request, timeout=10)]
        check(got == sizes, "response sizes %r" % got)

    def ping_pong(self):
        pairs = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]
        import queue
        outgoing = queue.Queue()

        def requests():
            while True:
                item = outgoing.get()
                if item is None:
                    return
                yield item

        responses = self.stub.FullDuplexCall(requests(), timeout=10)
        for response_size, payload_size in pairs:
            outgoing.put(self.m.StreamingOutputCallRequest(
                response_parameters=[self.m.ResponseParameters(size=response_size)],
                payload=self.payload(payload_size)))
            response = next(responses)
            check(len(response.payload.body) == response_size, "ping_pong size %d" % len(response.payload.body))
        outgoing.put(None)
        check(list(responses) == [], "extra responses after half-close")

    def empty_stream(self):
        responses = self.stub.FullDuplexCall(iter([]), timeout=10)
        check(list(responses) == [], "empty_stream got responses")

    def custom_metadata(self):
        initial = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
        trailing = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")
        metadata = (initial, trailing)
        request = self.m.SimpleRequest(response_size=314159, payload=self.payload(271828))
        response, call = self.stub.UnaryCall.with_call(request, metadata=metadata, timeout=10)
        check(len(response.payload.body) == 314159, "unary payload size")
        check(initial in call.initial_metadata(), "unary initial metadata %r" % (call.initial_metadata(),))
        check(trailing in call.trailing_metadata(), "unary trailing metadata %r" % (call.trailing_metadata(),))

        stream_request = self.m.StreamingOutputCallRequest(
            response_parameters=[self.m.ResponseParameters(size=314159)], payload=self.payload(271828))
        call = self.stub.FullDuplexCall(iter([stream_request]), metadata=metadata, timeout=10)
        responses = list(call)
        check([len(r.payload.body) for r in responses] == [314159], "duplex payload sizes")
        check(initial in call.initial_metadata(), "duplex initial metadata %r" % (call.initial_metadata(),))
        check(trailing in call.trailing_metadata(), "duplex trailing metadata %r" % (call.trailing_metadata(),))

    def _status_case(self, message):
        status = self.m.EchoStatus(code=2, message=message)
        expect_error(lambda: self.stub.UnaryCall(self.m.SimpleRequest(response_status=status), timeout=10),
                     grpc.StatusCode.UNKNOWN, message)
        request = self.m.StreamingOutputCallRequest(response_status=status)
        expect_error(lambda: self.stub.FullDuplexCall(iter([request]), timeout=10),
                     grpc.StatusCode.UNKNOWN, message)

    def status_code_and_message(self):
        self._status_case("test status message")

    def special_status_message(self):
        message = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
        status = self.m.EchoStatus(code=2, message=message)
        expect_error(lambda: self.stub.UnaryCall(self.m.SimpleRequest(response_status=status), timeout=10),
                     grpc.StatusCode.UNKNOWN, message)

    def unimplemented_method(self):
        expect_error(lambda: self.stub.UnimplementedCall(self.empty.Empty(), timeout=10),
                     grpc.StatusCode.UNIMPLEMENTED)

    def unimplemented_service(self):
        expect_error(lambda: self.unimplemented_stub.UnimplementedCall(self.empty.Empty(), timeout=10),
                     grpc.StatusCode.UNIMPLEMENTED)

    def cancel_after_begin(self):
        import threading
        never = threading.Event()

        def requests():
            never.wait()
            return
            yield

        future = self.stub.StreamingInputCall.future(requests(), timeout=10)
        time.sleep(0.05)
        future.cancel()
        check(future.cancelled(), "future not cancelled")
        never.set()
        try:
            future.result()
            raise AssertionError("cancelled call returned a result")
        except grpc.FutureCancelledError:
            pass
        except grpc.RpcError as error:
            check(error.code() == grpc.StatusCode.CANCELLED, "code %s" % error.code())

    def cancel_after_first_response(self):
        import queue
        outgoing = queue.Queue()

        def requests():
            while True:
                item = outgoing.get()
                if item is None:
                    return
                yield item

        call = self.stub.FullDuplexCall(requests(), timeout=10)
        outgoing.put(self.m.StreamingOutputCallRequest(
            response_parameters=[self.m.ResponseParameters(size=31415)], payload=self.payload(27182)))
        response = next(call)
        check(len(response.payload.body) == 31415, "first response size")
        call.cancel()
        outgoing.put(None)
        try:
            next(call)
            raise AssertionError("a response after cancel")
        except grpc.RpcError as error:
            check(error.code() == grpc.StatusCode.CANCELLED, "code %s" % error.code())

    def timeout_on_sleeping_server(self):
        request = self.m.StreamingOutputCallRequest(payload=self.payload(27182))
        call = self.stub.FullDuplexCall(iter([request]), timeout=0.001)
        try:
            list(call)
            raise AssertionError("call did not time out")
        except grpc.RpcError as error:
            # The spec allows OK if the server answered within a millisecond; require the deadline.
            check(error.code() == grpc.StatusCode.DEADLINE_EXCEEDED, "code %s" % error.code())


def make_channel(args):
    target = "%s:%d" % (args.server_host, args.server_port)
    if not args.use_tls:
        return grpc.insecure_channel(target)
    read = lambda path: open(path, "rb").read()
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read(args.ca_file), private_key=read(args.key_file),
        certificate_chain=read(args.cert_file))
    options = []
    if args.server_host_override:
        options.append(("grpc.ssl_target_name_override", args.server_host_override))
    return grpc.secure_channel(target, credentials, options)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server_host", default="127.0.0.1")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument("--server_host_override", default="")
    parser.add_argument("--use_tls", default="true", choices=["true", "false"])
    parser.add_argument("--ca_file")
    parser.add_argument("--cert_file")
    parser.add_argument("--key_file")
    parser.add_argument("--test_case", default="all", help="a case name, a comma-separated list, or all")
    parser.add_argument("--proto_root", default=os.path.normpath(os.path.join(here, "..", "..", "..", "proto")))
    parser.add_argument("--stubs_dir", default="")
    args = parser.parse_args()
    args.use_tls = args.use_tls == "true"

    stubs_dir = args.stubs_dir or tempfile.mkdtemp(prefix="bbs-interop-stubs-")
    empty, messages, test_grpc = generate_stubs(args.proto_root, stubs_dir)
    names = CASES if args.test_case == "all" else args.test_case.split(",")
    with make_channel(args) as channel:
        cases = Cases(channel, empty, messages, test_grpc)
        for name in names:
            if name not in CASES:
                raise SystemExit("unknown test case %r" % name)
            try:
                getattr(cases, name)()
            except Exception as error:  # report and fail
                print("FAIL %s: %s: %s" % (name, type(error).__name__, error), flush=True)
                sys.exit(1)
            print("PASS %s" % name, flush=True)


if __name__ == "__main__":
    main()
