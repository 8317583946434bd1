/// A reason to exit non-zero with a message for the operator (written to stderr, nothing else printed).
struct StartupFailure: Error, CustomStringConvertible {
    /// 2: the data version table says shut down; 3: a migration failed; 1: anything else.
    var exitCode: Int32
    var message: String

    var description: String { message }
}
