internal import COpenSSL

/// Reads the identity (RFC 2253 subject, DNS/IP/URI subject alternative names) out of an `X509*`.
///
/// Exists so `TLSConnection` hands the pipeline plain Swift values, never a certificate pointer.
enum PeerCertificate {
    static func identity(of certificate: OpaquePointer) -> TLSPeerIdentity {
        var identity = TLSPeerIdentity(subject: subject(of: certificate))
        guard let names = shim_X509_subject_alt_names(certificate) else { return identity }
        defer { shim_GENERAL_NAMES_free(names) }
        for index in 0..<shim_sk_GENERAL_NAME_num(names) {
            var data: UnsafePointer<UInt8>?
            var length: Int32 = 0
            let type = shim_GENERAL_NAMES_entry(names, index, &data, &length)
            guard let data, length > 0 else { continue }
            let bytes = UnsafeBufferPointer(start: data, count: Int(length))
            switch type {
            case GEN_DNS: identity.dnsNames.append(String(decoding: bytes, as: UTF8.self))
            case GEN_URI: identity.uris.append(String(decoding: bytes, as: UTF8.self))
            case GEN_IPADD:
                if let address = ipAddressText(Array(bytes)) { identity.ipAddresses.append(address) }
            default: continue
            }
        }
        return identity
    }

    /// The subject in RFC 2253 form (`CN=rep,O=bbs`).
    private static func subject(of certificate: OpaquePointer) -> String {
        guard let name = X509_get_subject_name(certificate), let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, shim_XN_FLAG_RFC2253()) >= 0 else { return "" }
        let count = Int(BIO_ctrl_pending(bio))
        guard count > 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(count)) }
        return String(decoding: bytes.prefix(Int(max(read, 0))), as: UTF8.self)
    }

    /// Dotted quad for 4 bytes, RFC 5952 text for 16 bytes, nil otherwise.
    static func ipAddressText(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 4:
            return bytes.map(String.init).joined(separator: ".")
        case 16:
            let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            // The longest run (at least two) of zero groups becomes "::".
            var best: Range<Int>? = nil
            var start: Int? = nil
            for index in 0...groups.count {
                if index < groups.count, groups[index] == 0 {
                    if start == nil { start = index }
                } else if let runStart = start {
                    if index - runStart >= 2, index - runStart > (best?.count ?? 0) { best = runStart..<index }
                    start = nil
                }
            }
            let hex = groups.map { String($0, radix: 16) }
            guard let best else { return hex.joined(separator: ":") }
            return hex[..<best.lowerBound].joined(separator: ":") + "::" + hex[best.upperBound...].joined(separator: ":")
        default:
            return nil
        }
    }
}
