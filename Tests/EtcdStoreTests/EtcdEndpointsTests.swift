import Store
import Testing

@testable import EtcdStore

@Suite("etcd endpoints and --store etcd: parsing")
struct EtcdEndpointsTests {
    @Test("a list of members parses in order")
    func list() throws {
        let configuration = try EtcdConfiguration(storeURL: "etcd:http://127.0.0.1:2379,http://127.0.0.1:22379")
        #expect(
            configuration.endpoints == [
                EtcdEndpoint(scheme: .http, host: "127.0.0.1", port: 2379),
                EtcdEndpoint(scheme: .http, host: "127.0.0.1", port: 22379),
            ])
        #expect(configuration.storeURL == "etcd:http://127.0.0.1:2379,http://127.0.0.1:22379")
    }

    @Test(
        "https, IPv6, host names, a missing port and a trailing slash",
        arguments: [
            (
                "https://etcd.service.cf.internal:4001",
                EtcdEndpoint(scheme: .https, host: "etcd.service.cf.internal", port: 4001)
            ),
            ("http://[::1]:2379/", EtcdEndpoint(scheme: .http, host: "::1", port: 2379)),
            ("HTTP://localhost", EtcdEndpoint(scheme: .http, host: "localhost", port: 2379)),
            (" http://10.0.0.1:12379 ", EtcdEndpoint(scheme: .http, host: "10.0.0.1", port: 12379)),
        ])
    func forms(url: String, endpoint: EtcdEndpoint) throws {
        #expect(try EtcdEndpoint(url: url) == endpoint)
    }

    @Test(
        "bad endpoints are refused with a message naming the problem",
        arguments: [
            ("127.0.0.1:2379", "scheme"),
            ("grpc://127.0.0.1:2379", "scheme"),
            ("http://", "host is missing"),
            ("http://:2379", "host is missing"),
            ("http://127.0.0.1:0", "port '0'"),
            ("http://127.0.0.1:65536", "port '65536'"),
            ("http://127.0.0.1:abc", "port 'abc'"),
            ("http://127.0.0.1:2379/v3", "path"),
            ("http://user@127.0.0.1:2379", "user"),
            ("http://::1:2379", "brackets"),
            ("http://[::1:2379", "closing"),
            ("http://bad host:2379", "not a host name"),
        ])
    func badEndpoint(url: String, fragment: String) {
        #expect {
            try EtcdEndpoint(url: url)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.kind == .invalidArgument && error.message.contains(fragment)
                && error.message.contains(url.trimmingWhitespace())
        }
    }

    @Test(
        "bad store lists are refused",
        arguments: [
            ("etcd:", "no endpoint"),
            ("etcd://127.0.0.1:2379", "not etcd://"),
            ("etcd:http://127.0.0.1:2379,", "endpoint 2 is empty"),
            ("etcd:http://a:1,http://a:1", "listed twice"),
        ])
    func badList(store: String, fragment: String) {
        #expect {
            try EtcdConfiguration(storeURL: store)
        } throws: { error in
            (error as? StoreError)?.kind == .invalidArgument && "\(error)".contains(fragment)
        }
    }

    @Test("an https member without TLS files is refused before connecting")
    func httpsNeedsTLS() throws {
        let configuration = try EtcdConfiguration(storeURL: "etcd:https://127.0.0.1:2379")
        #expect(throws: StoreError.self) { try configuration.validate() }
        #expect(throws: StoreError.self) { try EtcdBackend(configuration: configuration) }
        var withTLS = configuration
        withTLS.tls = EtcdTLSFiles(caFile: "ca.pem", certificateFile: "c.pem", keyFile: "c.key")
        try withTLS.validate()
    }
}
