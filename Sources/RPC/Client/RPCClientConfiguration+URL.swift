extension RPCClientConfiguration {
    /// The target named by `host`, `port` and `security`.
    var primaryTarget: ClientTarget {
        let usesTLS: Bool
        switch security {
        case .mutualTLS: usesTLS = true
        case .plaintext: usesTLS = false
        }
        return ClientTarget(host: host, port: port, usesTLS: usesTLS)
    }
}
