/// The data version this release of bbs reads and writes: data version 1 is Diego's legacy JSON,
/// 2 the base64 protobuf envelope, 3 the DesiredLRP split into scheduling and run info.
///
/// Compiled in so the start-up state machine can compare it with the version record of the store.
public let BBSDataVersion = 3
