import NIOConcurrencyHelpers

/// A small lock for state shared between a call's handler task and its event loop.
typealias NIOLockShim = NIOLock
