# etcd v3 API (KV, Lease) for the EtcdStore module; internal, since only EtcdBackend speaks it.
gen Sources/EtcdStore/Generated Internal etcd/api/mvccpb/kv.proto etcd/api/etcdserverpb/rpc.proto
