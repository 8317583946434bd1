import Foundation

/// Runs the `openssl` command line in one directory to make the certificates of `CertificateAuthority`.
struct OpenSSLCommand {
    let directory: String

    private var configuration: String { "\(directory)/openssl.cnf" }

    /// A self-contained config, so the system's openssl.cnf cannot change what we make.
    func writeConfiguration() throws {
        let text = """
            [ req ]
            distinguished_name = dn
            prompt = no
            [ dn ]
            CN = unused

            [ ca_ext ]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash

            # clientAuth too: etcd 3.4 presents its server certificate when its gateway dials itself.
            [ server_ext ]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth, clientAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid

            [ client_ext ]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = clientAuth
            subjectAltName = DNS:client.bbs.test, URI:spiffe://bbs.test/client
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid

            # `openssl ca` is only used for the expired certificate: `x509 -req` in OpenSSL 3.0
            # cannot set a validity period in the past.
            [ ca ]
            default_ca = backdating_ca
            [ backdating_ca ]
            database = \(directory)/index.txt
            new_certs_dir = \(directory)/issued
            serial = \(directory)/serial
            default_md = sha256
            policy = any_policy
            unique_subject = no
            [ any_policy ]
            organizationName = optional
            commonName = supplied

            """
        try text.write(toFile: configuration, atomically: true, encoding: .utf8)
        try "".write(toFile: "\(directory)/index.txt", atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: "\(directory)/serial", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(directory)/issued", withIntermediateDirectories: true)
    }

    func makeCA(name: String, subject: String) throws {
        try run([
            "req", "-x509", "-config", configuration, "-extensions", "ca_ext",
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "3", "-subj", subject,
        ])
    }

    func issue(name: String, subject: String, extensions: String, by ca: String) throws {
        try request(name: name, subject: subject)
        try run([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
            "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "2", "-sha256",
            "-extfile", configuration, "-extensions", extensions, "-out", path("\(name).pem"),
        ])
    }

    /// A client certificate from `ca` that expired long ago (valid 2020-01-01 to 2020-01-02).
    func issueExpired(name: String, subject: String, by ca: String) throws {
        try request(name: name, subject: subject)
        try run([
            "ca", "-batch", "-config", configuration, "-preserveDN", "-notext",
            "-cert", path("\(ca).pem"), "-keyfile", path("\(ca).key"), "-extensions", "client_ext",
            "-startdate", "20200101000000Z", "-enddate", "20200102000000Z",
            "-in", path("\(name).csr"), "-out", path("\(name).pem"),
        ])
    }

    private func request(name: String, subject: String) throws {
        try run([
            "req", "-new", "-config", configuration, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject,
        ])
    }

    private func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// Runs openssl through `ChildProcess`: Foundation's `Process.waitUntilExit` can miss a child's
    /// exit on Linux under load and block a cooperative thread for good.
    private func run(_ arguments: [String]) throws {
        let log = path("openssl.log")
        try? FileManager.default.removeItem(atPath: log)
        let child = try ChildProcess.spawn("/usr/bin/openssl", arguments, output: log)
        child.waitUntilExit()
        guard child.exitCode == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw CertificateAuthorityError(
                description: "openssl \(arguments.joined(separator: " ")) failed (\(child.exitCode ?? -1)): \(output)")
        }
    }
}
