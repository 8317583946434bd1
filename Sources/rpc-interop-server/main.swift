// Placeholder entry point; the RPC-layer issue builds the interop server.
print("rpc-interop-server")
