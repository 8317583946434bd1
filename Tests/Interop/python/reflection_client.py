#!/usr/bin/env python3
"""A reflection-based client, the way grpcurl works, against a server that serves reflection.

Knows nothing of the server's services in advance and uses no generated stubs for them:
1. lists the services through server reflection, grpc.reflection.v1 and (separately) v1alpha, and
   checks the expected ones are listed;
2. for every listed service, resolves its file by symbol through reflection into a descriptor pool
   (grpcio-reflection's ProtoReflectionDescriptorDatabase, and the same database over v1) and
   checks that every method's input and output types resolve;
3. calls grpc.testing.TestService/UnaryCall and EmptyCall with messages built from the reflected
   descriptors (message_factory.GetMessageClass) through a generic channel.unary_unary;
4. checks grpc.health.v1.Health with grpcio-health-checking: Check of "" is SERVING, of an unknown
   service NOT_FOUND; Watch of "" first yields SERVING, of an unknown service SERVICE_UNKNOWN;
5. raw reflection requests: file_containing_symbol for a method, a message, a field, an enum value
   and a oneof name the right file (with its imports), an unknown symbol is a NOT_FOUND
   error_response, over v1 and v1alpha;
6. several requests on one stream, as grpcurl sends them, are answered in order.

Prints one JSON object with what it saw ("ok": true when every check held) and exits non-zero on
any mismatch, so a test can assert on both.
"""
import argparse
import json
import sys
import traceback

import grpc
from google.protobuf import descriptor_pool
from google.protobuf import message_factory
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from grpc_health.v1 import health_pb2
from grpc_health.v1 import health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

EXPECTED_SERVICES = [
    "grpc.testing.TestService",
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
]
REFLECTION_PATHS = {
    "v1": "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "v1alpha": "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
}
TIMEOUT = 10


class Mismatch(Exception):
    """A check that did not hold."""


def check(condition, what):
    if not condition:
        raise Mismatch(what)


class ReflectionStub:
    """ServerReflectionInfo at either version's path.

    v1 and v1alpha share their wire format field for field (grpcurl relies on the same fact and
    grpcio-reflection ships only the v1alpha messages), so the v1alpha message classes serve both.
    """

    def __init__(self, channel, version):
        self.ServerReflectionInfo = channel.stream_stream(
            REFLECTION_PATHS[version],
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)


class ReflectionDatabase(ProtoReflectionDescriptorDatabase):
    """grpcio-reflection's descriptor database, over the v1 or v1alpha service."""

    def __init__(self, channel, version):
        super().__init__(channel)
        self._stub = ReflectionStub(channel, version)


def one_request(channel, version, **fields):
    """Sends one ServerReflectionRequest on one stream and returns the single response."""
    stub = ReflectionStub(channel, version)
    request = reflection_pb2.ServerReflectionRequest(host="localhost", **fields)
    responses = list(stub.ServerReflectionInfo(iter([request]), timeout=TIMEOUT))
    check(len(responses) == 1, "%s: one request got %d responses" % (version, len(responses)))
    response = responses[0]
    check(response.valid_host == "localhost", "%s: valid_host %r" % (version, response.valid_host))
    check(response.original_request == request,
          "%s: original_request %r is not the request %r" % (version, response.original_request, request))
    return response


def list_services(channel, version, expected):
    """Step 1: the service names listed through `version`, checked against `expected`."""
    database = ReflectionDatabase(channel, version)
    services = sorted(database.get_services())
    check(len(services) == len(set(services)), "%s lists a service twice: %s" % (version, services))
    for name in expected:
        check(name in services, "%s list_services lacks %s: %s" % (version, name, services))
    return services


def resolve_services(channel, version, services):
    """Step 2: every service and the types of every method, resolved from reflection alone."""
    pool = descriptor_pool.DescriptorPool(ReflectionDatabase(channel, version))
    resolved = {}
    for name in services:
        try:
            service = pool.FindServiceByName(name)
        except KeyError:
            raise Mismatch("%s: service %s is listed but its file cannot be found by symbol" % (version, name))
        check(service.full_name == name, "%s: asked for %s, resolved %s" % (version, name, service.full_name))
        check(len(service.methods) > 0, "%s: service %s has no methods" % (version, name))
        methods = {}
        for method in service.methods:
            for role, message in (("input", method.input_type), ("output", method.output_type)):
                check(message is not None and message.full_name,
                      "%s: %s.%s %s type does not resolve" % (version, name, method.name, role))
                check(pool.FindMessageTypeByName(message.full_name) is message,
                      "%s: %s.%s %s type %s is not in the pool" % (version, name, method.name, role,
                                                                    message.full_name))
                message_factory.GetMessageClass(message)
            methods[method.name] = {
                "input": method.input_type.full_name,
                "output": method.output_type.full_name,
                "client_streaming": method.client_streaming,
                "server_streaming": method.server_streaming,
            }
        resolved[name] = {"file": service.file.name, "methods": methods}
    return pool, resolved


def call_dynamically(channel, pool):
    """Step 3: TestService calls with messages built from the reflected descriptors only."""
    service = pool.FindServiceByName("grpc.testing.TestService")
    results = {}

    def method_callable(name):
        method = service.methods_by_name[name]
        request_class = message_factory.GetMessageClass(method.input_type)
        response_class = message_factory.GetMessageClass(method.output_type)
        call = channel.unary_unary(
            "/%s/%s" % (service.full_name, method.name),
            request_serializer=request_class.SerializeToString,
            response_deserializer=response_class.FromString)
        return call, request_class, response_class

    unary, request_class, response_class = method_callable("UnaryCall")
    request = request_class()
    request.response_size = 314159
    request.payload.body = b"\x00" * 271828
    request.fill_server_id = True
    response = unary(request, timeout=TIMEOUT)
    check(isinstance(response, response_class), "UnaryCall returned %r" % type(response))
    check(len(response.payload.body) == 314159,
          "UnaryCall payload is %d bytes, asked for 314159" % len(response.payload.body))
    results["UnaryCall"] = {"response_type": response.DESCRIPTOR.full_name,
                            "payload_bytes": len(response.payload.body)}

    empty_call, empty_request_class, empty_response_class = method_callable("EmptyCall")
    check(empty_request_class.DESCRIPTOR.full_name == "grpc.testing.Empty",
          "EmptyCall takes %s" % empty_request_class.DESCRIPTOR.full_name)
    response = empty_call(empty_request_class(), timeout=TIMEOUT)
    check(isinstance(response, empty_response_class), "EmptyCall returned %r" % type(response))
    check(response.ByteSize() == 0, "EmptyCall returned %d bytes" % response.ByteSize())
    results["EmptyCall"] = {"response_type": response.DESCRIPTOR.full_name, "bytes": response.ByteSize()}
    return results


def health(channel):
    """Step 4: grpc.health.v1.Health through grpcio-health-checking's stub."""
    stub = health_pb2_grpc.HealthStub(channel)
    status_name = health_pb2.HealthCheckResponse.ServingStatus.Name
    results = {}

    response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT)
    results["check_overall"] = status_name(response.status)
    check(response.status == health_pb2.HealthCheckResponse.SERVING,
          "Check(\"\") is %s, expected SERVING" % results["check_overall"])

    unknown = "no.such.Service"
    try:
        response = stub.Check(health_pb2.HealthCheckRequest(service=unknown), timeout=TIMEOUT)
        raise Mismatch("Check(%r) answered %s, expected NOT_FOUND" % (unknown, status_name(response.status)))
    except grpc.RpcError as error:
        results["check_unknown"] = error.code().name
        check(error.code() == grpc.StatusCode.NOT_FOUND,
              "Check(%r) failed with %s, expected NOT_FOUND" % (unknown, error.code()))

    for key, service, expected in (("watch_overall", "", health_pb2.HealthCheckResponse.SERVING),
                                   ("watch_unknown", unknown, health_pb2.HealthCheckResponse.SERVICE_UNKNOWN)):
        stream = stub.Watch(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT)
        first = next(stream)
        stream.cancel()
        results[key] = status_name(first.status)
        check(first.status == expected, "Watch(%r) first status %s, expected %s" % (
            service, results[key], status_name(expected)))
    return results


def symbol_lookups(channel, version):
    """Step 5: raw file_containing_symbol answers, and NOT_FOUND for an unknown symbol."""
    results = {}
    for symbol, expected_file, expected_imports in (
            ("grpc.testing.TestService.UnaryCall", "grpc/testing/test.proto",
             ["grpc/testing/empty.proto", "grpc/testing/messages.proto"]),
            ("grpc.testing.SimpleRequest", "grpc/testing/messages.proto", []),
            ("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto", []),
            # Every kind of named element is a symbol (protobuf's DescriptorPool, grpc-go's
            # protoregistry): fields, enum values (scoped beside their enum), oneofs.
            ("grpc.testing.SimpleRequest.response_size", "grpc/testing/messages.proto", []),
            ("grpc.testing.COMPRESSABLE", "grpc/testing/messages.proto", []),
            ("grpc.health.v1.HealthCheckResponse.SERVING", "grpc/health/v1/health.proto", []),
            ("grpc.reflection.v1.ServerReflectionRequest.message_request", "grpc/reflection/v1/reflection.proto",
             [])):
        response = one_request(channel, version, file_containing_symbol=symbol)
        check(response.WhichOneof("message_response") == "file_descriptor_response",
              "%s: file_containing_symbol %s answered %s" % (version, symbol, response))
        files = []
        for data in response.file_descriptor_response.file_descriptor_proto:
            file = FileDescriptorProto()
            file.ParseFromString(data)
            files.append(file)
        names = [file.name for file in files]
        check(names and names[0] == expected_file,
              "%s: %s is in %s, reflection answered %s" % (version, symbol, expected_file, names))
        for imported in expected_imports:
            check(imported in names, "%s: answer for %s lacks import %s: %s" % (version, symbol, imported, names))
            check(imported in files[0].dependency, "%s: %s does not import %s" % (version, expected_file, imported))
        results[symbol] = names

    unknown = "grpc.testing.NoSuchMessage"
    response = one_request(channel, version, file_containing_symbol=unknown)
    check(response.WhichOneof("message_response") == "error_response",
          "%s: unknown symbol answered %s" % (version, response.WhichOneof("message_response")))
    code = response.error_response.error_code
    check(code == grpc.StatusCode.NOT_FOUND.value[0],
          "%s: unknown symbol error_code %d, expected NOT_FOUND (5)" % (version, code))
    results[unknown] = {"error_code": code, "error_message": response.error_response.error_message}
    return results


def one_stream(channel, version):
    """Step 6: several requests on one stream (as grpcurl sends them) answered in order, one each."""
    requests = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_by_filename="grpc/testing/empty.proto"),
        reflection_pb2.ServerReflectionRequest(file_by_filename="grpc/testing/no_such.proto"),
        reflection_pb2.ServerReflectionRequest(all_extension_numbers_of_type="grpc.testing.SimpleRequest"),
        reflection_pb2.ServerReflectionRequest(all_extension_numbers_of_type="grpc.testing.NoSuchMessage"),
        reflection_pb2.ServerReflectionRequest(file_containing_extension=reflection_pb2.ExtensionRequest(
            containing_type="grpc.testing.SimpleRequest", extension_number=100)),
    ]
    expected = ["list_services_response", "file_descriptor_response", "error_response",
                "all_extension_numbers_response", "error_response", "error_response"]
    responses = list(ReflectionStub(channel, version).ServerReflectionInfo(iter(requests), timeout=TIMEOUT))
    kinds = [response.WhichOneof("message_response") for response in responses]
    check(kinds == expected, "%s: one stream answered %s, expected %s" % (version, kinds, expected))
    for request, response in zip(requests, responses):
        check(response.original_request == request, "%s: answer out of order for %r" % (version, request))
        if response.HasField("error_response"):
            check(response.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0],
                  "%s: %r answered %r, expected NOT_FOUND" % (version, request, response.error_response))
    file = FileDescriptorProto()
    file.ParseFromString(responses[1].file_descriptor_response.file_descriptor_proto[0])
    check(file.name == "grpc/testing/empty.proto", "%s: file_by_filename answered %s" % (version, file.name))
    numbers = responses[3].all_extension_numbers_response
    check(numbers.base_type_name == "grpc.testing.SimpleRequest" and list(numbers.extension_number) == [],
          "%s: all_extension_numbers_of_type answered %r" % (version, numbers))
    return kinds


def make_channel(args):
    target = "%s:%d" % (args.server_host, args.server_port)
    if args.use_tls == "false":
        return grpc.insecure_channel(target)
    with open(args.ca_file, "rb") as ca, open(args.cert_file, "rb") as cert, open(args.key_file, "rb") as key:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=ca.read(), private_key=key.read(), certificate_chain=cert.read())
    options = []
    if args.server_host_override:
        options.append(("grpc.ssl_target_name_override", args.server_host_override))
    return grpc.secure_channel(target, credentials, options)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server_host", default="127.0.0.1")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument("--server_host_override", default="")
    parser.add_argument("--use_tls", default="true", choices=["true", "false"])
    parser.add_argument("--ca_file")
    parser.add_argument("--cert_file")
    parser.add_argument("--key_file")
    parser.add_argument("--expect_service", action="append", default=[],
                        help="another service that must be listed (repeatable)")
    args = parser.parse_args()

    report = {"ok": False}
    try:
        with make_channel(args) as channel:
            grpc.channel_ready_future(channel).result(timeout=TIMEOUT)
            report["list_v1"] = list_services(channel, "v1", EXPECTED_SERVICES + args.expect_service)
            report["list_v1alpha"] = list_services(channel, "v1alpha", EXPECTED_SERVICES + args.expect_service)
            check(report["list_v1"] == report["list_v1alpha"],
                  "v1 lists %s, v1alpha lists %s" % (report["list_v1"], report["list_v1alpha"]))
            pool, report["resolved_v1alpha"] = resolve_services(channel, "v1alpha", report["list_v1alpha"])
            _, report["resolved_v1"] = resolve_services(channel, "v1", report["list_v1"])
            check(report["resolved_v1"] == report["resolved_v1alpha"], "v1 and v1alpha resolve differently")
            report["calls"] = call_dynamically(channel, pool)
            report["health"] = health(channel)
            report["symbols_v1"] = symbol_lookups(channel, "v1")
            report["symbols_v1alpha"] = symbol_lookups(channel, "v1alpha")
            report["stream_v1"] = one_stream(channel, "v1")
            report["stream_v1alpha"] = one_stream(channel, "v1alpha")
        report["ok"] = True
    except Mismatch as mismatch:
        report["error"] = str(mismatch)
    except Exception as error:  # a failed RPC or a descriptor that does not build is a mismatch too
        report["error"] = "%s: %s" % (type(error).__name__, error)
        traceback.print_exc()
    print(json.dumps(report, indent=2, sort_keys=True))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
