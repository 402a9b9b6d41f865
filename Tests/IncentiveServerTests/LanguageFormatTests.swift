import IncentiveEngine
import Testing

@testable import IncentiveServer

/// Amounts and stored timestamps as the pages write them, in both languages (worked out by hand).
@Suite struct LanguageFormatTests {
    @Test(arguments: [
        (Int64(0), "0.00", "0,00"),
        (5, "0.05", "0,05"),
        (-5, "-0.05", "-0,05"),
        (99_999, "999.99", "999,99"),
        (100_000, "1,000.00", "1.000,00"),
        (5_750_000, "57,500.00", "57.500,00"),
        (-345_004, "-3,450.04", "-3.450,04"),
        (123_456_789_012, "1,234,567,890.12", "1.234.567.890,12"),
        (Int64.min, "-92,233,720,368,547,758.08", "-92.233.720.368.547.758,08"),
    ])
    func money(cents: Int64, english: String, dutch: String) {
        #expect(Language.en.money(Money(cents: cents)) == english)
        #expect(Language.nl.money(Money(cents: cents)) == dutch)
    }

    @Test func timestamps() {
        #expect(Language.en.timestamp("2026-11-23T07:17:00.123Z") == "Nov 23, 2026 07:17 UTC")
        #expect(Language.nl.timestamp("2026-11-23T07:17:00.123Z") == "23 nov 2026 07:17 UTC")
        // Text that is not such a timestamp is shown as it is.
        for text in ["2026-11-23", "2026-11-23T7:17:00Z", "2026-11-23T07:1x:00Z", "2026-13-23T07:17:00Z", "2026-11-23T٠٧:17:00Z"] {
            #expect(Language.en.timestamp(text) == text)
        }
    }
}
