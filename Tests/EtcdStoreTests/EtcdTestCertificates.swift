import Foundation
import TestSupport

/// A CA, an etcd server certificate (127.0.0.1) and two client certificates (one from another
/// CA), made with the `openssl` command line at test time; no key is ever committed.
///
/// Exists apart from `CertificateAuthority` because it runs openssl through `ChildProcess`, which
/// cannot hang on a lost SIGCHLD the way Foundation's `Process.waitUntilExit` can under load.
struct EtcdTestCertificates {
    let directory: String
    var caFile: String { "\(directory)/ca.pem" }
    var serverCert: String { "\(directory)/server.pem" }
    var serverKey: String { "\(directory)/server.key" }
    var clientCert: String { "\(directory)/client.pem" }
    var clientKey: String { "\(directory)/client.key" }
    var otherClientCert: String { "\(directory)/other-client.pem" }
    var otherClientKey: String { "\(directory)/other-client.key" }

    static func make() async throws -> EtcdTestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bbs-etcd-certs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = EtcdTestCertificates(directory: directory)
        try await certificates.generate()
        return certificates
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    private func generate() async throws {
        let extensions = """
            [ req ]
            distinguished_name = dn
            prompt = no
            [ dn ]
            CN = unused
            [ ca_ext ]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            [ server_ext ]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth, clientAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1
            [ client_ext ]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = clientAuth

            """
        try extensions.write(toFile: "\(directory)/openssl.cnf", atomically: true, encoding: .utf8)
        try await makeCA("ca", "/O=bbs/CN=bbs etcd test CA")
        try await makeCA("other-ca", "/O=elsewhere/CN=other test CA")
        try await issue("server", "/CN=localhost", "server_ext", by: "ca")
        try await issue("client", "/O=bbs/CN=bbs", "client_ext", by: "ca")
        try await issue("other-client", "/O=bbs/CN=bbs", "client_ext", by: "other-ca")
    }

    private func makeCA(_ name: String, _ subject: String) async throws {
        try await openssl([
            "req", "-x509", "-config", "\(directory)/openssl.cnf", "-extensions", "ca_ext", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(directory)/\(name).key",
            "-out", "\(directory)/\(name).pem", "-days", "2", "-subj", subject,
        ])
    }

    private func issue(_ name: String, _ subject: String, _ section: String, by ca: String) async throws {
        let path = "\(directory)/\(name)"
        try await openssl([
            "req", "-new", "-config", "\(directory)/openssl.cnf", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(path).key", "-out", "\(path).csr", "-subj", subject,
        ])
        try await openssl([
            "x509", "-req", "-in", "\(path).csr", "-CA", "\(directory)/\(ca).pem", "-CAkey", "\(directory)/\(ca).key",
            "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "1", "-sha256",
            "-extfile", "\(directory)/openssl.cnf", "-extensions", section, "-out", "\(path).pem",
        ])
    }

    private func openssl(_ arguments: [String]) async throws {
        let log = "\(directory)/openssl.log"
        let status = try await ChildProcess.run("/usr/bin/openssl", arguments, output: log)
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw EtcdClusterError(
                "openssl \(arguments.prefix(2).joined(separator: " ")) failed (\(status)): \(output)")
        }
    }
}
