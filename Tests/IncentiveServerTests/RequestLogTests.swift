import Testing

@testable import IncentiveServer

/// The request log writes a duration's milliseconds with three decimals.
@Suite struct RequestLogTests {
    @Test func thousandthsHaveThreeDigits() {
        #expect(RequestLogMiddleware.threeDigits(0) == "000")
        #expect(RequestLogMiddleware.threeDigits(7) == "007")
        #expect(RequestLogMiddleware.threeDigits(42) == "042")
        #expect(RequestLogMiddleware.threeDigits(999) == "999")
    }
}
