#!/usr/bin/env python3
"""Makes one call of the BBS API with grpcio stubs generated from proto/diego/bbs, and prints what
grpcio reports as one JSON object: code, details, initial and trailing metadata, and the response
(as protobuf JSON, field names as in the .proto).

The stubs are generated at run time with grpcio-tools from proto/diego/bbs into --stubs_dir (a temp
dir when not given; reused when it already holds them): nothing generated is committed. This is the
client an outside team writes against our .proto files, used by the integration tests to see what a
standard gRPC client sees (e.g. the redirect of a standby: UNAVAILABLE with bbs-master-url).

  bbs_client.py --target 127.0.0.1:8889 --ca_file ca.pem --cert_file client.pem --key_file client.key \
      --service DomainService --method UpsertDomain --request_json '{"domain": "cf-apps"}'
"""
import argparse
import base64
import glob
import importlib
import json
import os
import sys
import tempfile

import grpc
from google.protobuf import json_format


def generate_stubs(proto_root, out_dir):
    """Generates diego/bbs/*_pb2*.py into out_dir (once) and puts out_dir on the import path."""
    from grpc_tools import protoc
    import grpc_tools
    os.makedirs(out_dir, exist_ok=True)
    marker = os.path.join(out_dir, "diego", "bbs", "ping_service_pb2_grpc.py")
    if not os.path.exists(marker):
        include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        files = sorted(os.path.relpath(path, proto_root)
                       for path in glob.glob(os.path.join(proto_root, "diego", "bbs", "*.proto")))
        args = ["protoc", "-I" + proto_root, "-I" + include, "--python_out=" + out_dir,
                "--grpc_python_out=" + out_dir] + files
        if protoc.main(args) != 0:
            raise SystemExit("grpc_tools.protoc failed for " + " ".join(files))
    sys.path.insert(0, out_dir)


def find_service(service):
    """The generated stub class and request types of diego.bbs.<service>."""
    for path in sorted(glob.glob(os.path.join(sys.path[0], "diego", "bbs", "*_pb2_grpc.py"))):
        name = os.path.basename(path)[:-len(".py")]
        grpc_module = importlib.import_module("diego.bbs." + name)
        stub = getattr(grpc_module, service + "Stub", None)
        if stub is not None:
            messages = importlib.import_module("diego.bbs." + name[:-len("_grpc")])
            return stub, messages
    raise SystemExit("no generated stub for diego.bbs." + service)


def render(metadata):
    out = []
    for key, value in metadata or ():
        if isinstance(value, bytes):
            value = "base64:" + base64.b64encode(value).decode()
        out.append([key, value])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="host:port")
    parser.add_argument("--server_host_override", default="localhost")
    parser.add_argument("--ca_file", required=True)
    parser.add_argument("--cert_file", required=True)
    parser.add_argument("--key_file", required=True)
    parser.add_argument("--service", required=True, help="e.g. DomainService")
    parser.add_argument("--method", required=True, help="e.g. UpsertDomain")
    parser.add_argument("--request_json", default="{}")
    parser.add_argument("--metadata", action="append", default=[], help="key=value, repeatable")
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--stubs_dir", default="")
    parser.add_argument("--proto_root", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "proto"))
    args = parser.parse_args()

    generate_stubs(os.path.abspath(args.proto_root), args.stubs_dir or tempfile.mkdtemp(prefix="bbs-stubs-"))
    stub_class, messages = find_service(args.service)
    method = messages.DESCRIPTOR.services_by_name[args.service].methods_by_name[args.method]
    request = json_format.ParseDict(json.loads(args.request_json), getattr(messages, method.input_type.name)())

    read = lambda path: open(path, "rb").read()
    credentials = grpc.ssl_channel_credentials(read(args.ca_file), read(args.key_file), read(args.cert_file))
    options = [("grpc.ssl_target_name_override", args.server_host_override)]
    metadata = [tuple(item.split("=", 1)) for item in args.metadata]
    with grpc.secure_channel(args.target, credentials, options=options) as channel:
        call = getattr(stub_class(channel), args.method)
        try:
            response, info = call.with_call(request, timeout=args.timeout, metadata=metadata or None)
            result = {"code": "OK", "details": "",
                      "response": json_format.MessageToDict(response, preserving_proto_field_name=True),
                      "initial_metadata": render(info.initial_metadata()),
                      "trailing_metadata": render(info.trailing_metadata())}
        except grpc.RpcError as error:
            result = {"code": error.code().name, "details": error.details(),
                      "initial_metadata": render(error.initial_metadata()),
                      "trailing_metadata": render(error.trailing_metadata())}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
