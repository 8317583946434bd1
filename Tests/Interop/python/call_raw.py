#!/usr/bin/env python3
"""Makes one unary gRPC call with grpcio and prints what grpcio reports, as one JSON object.

Used to pin down how grpcio surfaces our server's special answers (the 307 redirect, the 503
unavailable answer): status code, details, initial and trailing metadata. The request body is
given as hex (a serialized protobuf message), the response is printed as hex, so no stubs are needed.
"""
import argparse
import base64
import json

import grpc


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", required=True, help="host:port")
    parser.add_argument("--method", required=True, help="/package.Service/Method")
    parser.add_argument("--request_hex", default="")
    parser.add_argument("--ca_file")
    parser.add_argument("--cert_file")
    parser.add_argument("--key_file")
    parser.add_argument("--use_tls", default="true", choices=["true", "false"])
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()

    if args.use_tls == "true":
        read = lambda path: open(path, "rb").read() if path else None
        credentials = grpc.ssl_channel_credentials(read(args.ca_file), read(args.key_file), read(args.cert_file))
        channel = grpc.secure_channel(args.target, credentials)
    else:
        channel = grpc.insecure_channel(args.target)

    def render(metadata):
        out = []
        for key, value in metadata or ():
            if isinstance(value, bytes):
                value = "base64:" + base64.b64encode(value).decode()
            out.append([key, value])
        return out

    call = channel.unary_unary(args.method, request_serializer=None, response_deserializer=None)
    result = {}
    try:
        response, info = call.with_call(bytes.fromhex(args.request_hex), timeout=args.timeout)
        result = {"code": "OK", "details": "", "response_hex": response.hex(),
                  "initial_metadata": render(info.initial_metadata()),
                  "trailing_metadata": render(info.trailing_metadata())}
    except grpc.RpcError as error:
        result = {"code": error.code().name, "details": error.details(),
                  "initial_metadata": render(error.initial_metadata()),
                  "trailing_metadata": render(error.trailing_metadata())}
    channel.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
