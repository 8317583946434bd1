import Testing
@testable import Store

@Suite("StoreError")
struct StoreErrorTests {
    @Test("a condition failure says what failed")
    func conditionFailedCarriesMessage() {
        let error = StoreError.conditionFailed("key /v3/task/t1 exists")
        #expect(error.kind == .conditionFailed)
        #expect(error.description == "key /v3/task/t1 exists")
    }
}
