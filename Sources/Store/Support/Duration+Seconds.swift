extension Duration {
    /// The duration in (fractional) seconds, for TTLs stored or sent as seconds and for logs.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
