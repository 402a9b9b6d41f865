import Foundation
import IncentiveEngine
import Testing

/// Bad input (formats.md §1 "Bad input", §2 "Other load-time errors", docs/decisions.md):
/// each test starts from a valid dataset and valid programs, makes ONE defect and checks the
/// exact diagnostic (file, physical line, column, value, message) and that loading threw.
@Suite struct ValidationTests {
    typealias F = ValidationFixture

    /// The valid bookings plus `extra` lines, which start on line 5.
    static func bookings(_ extra: String) -> String { F.bookings + extra + "\n" }

    // MARK: - The baseline is valid

    @Test func baselineFixtureLoadsAndComputes() throws {
        let loaded = try F.valid.success()
        #expect(loaded.warnings.diagnostics.isEmpty, "\(listing(loaded.warnings.diagnostics))")
        #expect(loaded.programs.map(\.id) == ["MDF", "VIP"])
        #expect(loaded.dataset.partners.map(\.id) == ["P1", "P2"])
        #expect(loaded.dataset.enrollments.count == 2)
        #expect(loaded.dataset.fxRates["EUR"]?.count == 1)
        let rows = ResultsCSV.render(Engine.compute(loaded).rows).split(separator: "\n").dropFirst().map(String.init)
        // P1: 1000.00 USD + 100.00 EUR x 1.1 = 1110.00; 6% = 66.60. P2: a credit only.
        #expect(
            rows == [
                "MDF,mdf,P1,gold,0.00,0.00,true,0.00,0.00,",
                "VIP,vip,P1,dc/ucs,1110.00,0.00,true,66.60,0.00,",
                "VIP,vip,P2,dc/ucs,-250.50,0.00,false,0.00,0.00,volume:-250.50<0.00",
            ])
    }

    // MARK: - Missing files and columns

    @Test func missingBookingsFile() throws {
        let report = try F.valid.with("bookings.csv", nil).failure()
        expectOnlyError(report, ExpectedDiagnostic(file: "/data/bookings.csv", line: nil, message: "required file is missing"))
        #expect(report.errorLines.count == 1)
        #expect(report.errorLines[0].hasSuffix("/data/bookings.csv: required file is missing"))
    }

    @Test func missingPartnersFile() throws {
        // Only the partners of partners.csv are missing: nothing else is wrong with the dataset.
        let report = try F.valid.with("partners.csv", nil).failure()
        expectError(report, ExpectedDiagnostic(file: "/data/partners.csv", line: nil, message: "required file is missing"))
        #expect(report.collector.errors.first?.file.hasSuffix("/data/partners.csv") == true)
        #expect(report.collector.errorCount == 1, "\(listing(report.collector.errors))")
    }

    static let missingColumns: [Defect] = [
        Defect(
            name: "bookings.csv without amount", file: "bookings.csv",
            contents: "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,currency,intended_use\nO1,1,P1,2015-03-01,,UCS-A,1,USD,\n",
            expected: ExpectedDiagnostic(
                file: "/bookings.csv", line: 1, column: "amount",
                message:
                    "missing required column (the header has: order_id, line, partner_id, booked_on, shipped_on, sku, quantity, currency, intended_use)"
            )),
        Defect(
            name: "bookings.csv without booked_on", file: "bookings.csv",
            contents: "order_id,line,partner_id,sku,amount,currency\nO1,1,P1,UCS-A,10,USD\n",
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 1, column: "booked_on", message: "missing required column")),
        Defect(
            name: "credentials.csv without achieved_on", file: "credentials.csv",
            contents: "partner_id,credential,expires_on\nP1,ADV-UCT,\n",
            expected: ExpectedDiagnostic(
                file: "/credentials.csv", line: 1, column: "achieved_on",
                message: "missing required column (the header has: partner_id, credential, expires_on)")),
        Defect(
            name: "csat.csv without survey_id", file: "csat.csv", contents: "partner_id,submitted_on\nP1,2015-03-01\n",
            expected: ExpectedDiagnostic(file: "/csat.csv", line: 1, column: "survey_id", message: "missing required column")),
        Defect(
            name: "services.csv without strategic", file: "services.csv",
            contents: "partner_id,service,active_from\nP1,Managed UC,2015-01-01\n",
            expected: ExpectedDiagnostic(file: "/services.csv", line: 1, column: "strategic", message: "missing required column")),
        Defect(
            name: "enrollments.csv without subtrack", file: "enrollments.csv",
            contents: "partner_id,program,enrolled_on\nP1,VIP,2015-02-01\n",
            expected: ExpectedDiagnostic(file: "/enrollments.csv", line: 1, column: "subtrack", message: "missing required column")),
        Defect(
            name: "products.csv without sku", file: "products.csv", contents: "description,family\nBlade,DC\n",
            expected: ExpectedDiagnostic(file: "/products.csv", line: 1, column: "sku", message: "missing required column")),
        Defect(
            name: "fx.csv without rate (no foreign booking)", file: "fx.csv", contents: "currency,valid_from\nEUR,2015-01-01\n",
            expected: ExpectedDiagnostic(file: "/fx.csv", line: 1, column: "rate", message: "missing required column"),
            also: ["bookings.csv": F.bookingsHeader + "O1,1,P1,2015-03-01,,UCS-A,1,1000.00,USD,\n"]),
        Defect(
            name: "column names are case-sensitive (Partner_ID)", file: "credentials.csv",
            contents: "Partner_ID,credential,achieved_on\nP1,ADV-UCT,2014-01-01\n",
            expected: ExpectedDiagnostic(file: "/credentials.csv", line: 1, column: "partner_id", message: "missing required column")),
    ]

    @Test(arguments: missingColumns)
    func missingRequiredColumn(_ defect: Defect) throws {
        expectOnlyError(try defect.fixture.failure(), defect.expected)
    }

    @Test func missingPartnersColumn() throws {
        let report = try F.valid.with("partners.csv", "partner_id,name,country,provider\nP1,Alpha,NL,true\nP2,Beta,DE,false\n").failure()
        expectError(report, ExpectedDiagnostic(file: "/partners.csv", line: 1, column: "tier", message: "missing required column"))
        #expect(report.collector.errorCount == 1, "\(listing(report.collector.errors))")
    }

    // MARK: - Values in the small tables

    static let tableValues: [Defect] = [
        // partners.csv
        Defect(
            name: "unknown tier", file: "partners.csv", contents: F.partnersHeader + "P1,Alpha,NL,gold,true\nP2,Beta,DE,platinum,false\n",
            expected: ExpectedDiagnostic(
                file: "/partners.csv", line: 3, column: "tier", value: "platinum",
                message: "unknown tier (expected gold, premier, select or registered)")),
        Defect(
            name: "bad country ZZ", file: "partners.csv", contents: F.partnersHeader + "P1,Alpha,NL,gold,true\nP2,Beta,ZZ,select,false\n",
            expected: ExpectedDiagnostic(file: "/partners.csv", line: 3, column: "country", value: "ZZ", message: "ISO 3166-1 alpha-2")),
        Defect(
            name: "bad country NLD", file: "partners.csv", contents: F.partnersHeader + "P1,Alpha,NLD,gold,true\nP2,Beta,DE,select,false\n",
            expected: ExpectedDiagnostic(file: "/partners.csv", line: 2, column: "country", value: "NLD", message: "ISO 3166-1 alpha-2")),
        Defect(
            name: "bad boolean in partners", file: "partners.csv", contents: F.partnersHeader + "P1,Alpha,NL,gold,maybe\nP2,Beta,DE,select,false\n",
            expected: ExpectedDiagnostic(
                file: "/partners.csv", line: 2, column: "provider", value: "maybe", message: "expected true or false (also yes/no, 1/0)")),
        Defect(
            name: "duplicate partner id", file: "partners.csv",
            contents: F.partnersHeader + "P1,Alpha,NL,gold,true\nP2,Beta,DE,select,false\n P1 ,Alpha again,NL,gold,true\n",
            expected: ExpectedDiagnostic(file: "/partners.csv", line: 4, column: "partner_id", value: "P1", message: "duplicate partner id")),
        Defect(
            name: "empty partner id", file: "partners.csv",
            contents: F.partnersHeader + "P1,Alpha,NL,gold,true\nP2,Beta,DE,select,false\n,Nobody,DE,select,false\n",
            expected: ExpectedDiagnostic(file: "/partners.csv", line: 4, column: "partner_id", message: "required value is empty")),
        // credentials.csv
        Defect(
            name: "malformed date", file: "credentials.csv", contents: F.credentialsHeader + "P1,ADV-UCT,2014/01/01,\n",
            expected: ExpectedDiagnostic(
                file: "/credentials.csv", line: 2, column: "achieved_on", value: "2014/01/01", message: "expected a real calendar date YYYY-MM-DD")),
        Defect(
            name: "impossible date 2015-02-30", file: "credentials.csv",
            contents: F.credentialsHeader + "P1,ADV-UCT,2014-01-01,\nP2,ADV-UCT,2014-06-01,2015-02-30\n",
            expected: ExpectedDiagnostic(
                file: "/credentials.csv", line: 3, column: "expires_on", value: "2015-02-30", message: "expected a real calendar date YYYY-MM-DD")),
        Defect(
            name: "expires_on before achieved_on", file: "credentials.csv",
            contents: F.credentialsHeader + "P1,ADV-UCT,2014-01-01,\nP2,ADV-UCT,2015-06-01,2015-05-31\n",
            expected: ExpectedDiagnostic(
                file: "/credentials.csv", line: 3, column: "expires_on", value: "2015-05-31", message: "expires before it was achieved (2015-06-01)")),
        // csat.csv
        Defect(
            name: "duplicate survey id", file: "csat.csv", contents: F.csatHeader + "P1,S-1,2015-03-01\nP1,S-2,2015-04-01\nP1,S-1,2015-05-01\n",
            expected: ExpectedDiagnostic(
                file: "/csat.csv", line: 4, column: "survey_id", value: "S-1", message: "duplicate survey id (first on line 2)")),
        Defect(
            name: "impossible csat date", file: "csat.csv", contents: F.csatHeader + "P1,S-1,2015-04-31\n",
            expected: ExpectedDiagnostic(file: "/csat.csv", line: 2, column: "submitted_on", value: "2015-04-31", message: "real calendar date")),
        // services.csv
        Defect(
            name: "bad boolean in services", file: "services.csv", contents: F.servicesHeader + "P1,Managed UC,sometimes,2015-01-01,\n",
            expected: ExpectedDiagnostic(file: "/services.csv", line: 2, column: "strategic", value: "sometimes", message: "expected true or false")),
        Defect(
            name: "active_until before active_from", file: "services.csv", contents: F.servicesHeader + "P1,Managed UC,true,2015-01-01,2014-12-31\n",
            expected: ExpectedDiagnostic(
                file: "/services.csv", line: 2, column: "active_until", value: "2014-12-31", message: "ends before it starts (2015-01-01)")),
        // enrollments.csv
        Defect(
            name: "subtrack the program does not have", file: "enrollments.csv",
            contents: F.enrollmentsHeader + "P1,VIP,dc/ucs,2015-02-01\nP2,VIP,dc/nexus,2015-02-01\n",
            expected: ExpectedDiagnostic(
                file: "/enrollments.csv", line: 3, column: "subtrack", value: "dc/nexus", message: "program VIP has no such subtrack (it has: dc/ucs)"
            )),
        Defect(
            name: "subtrack without its track", file: "enrollments.csv", contents: F.enrollmentsHeader + "P1,VIP,ucs,2015-02-01\n",
            expected: ExpectedDiagnostic(file: "/enrollments.csv", line: 2, column: "subtrack", value: "ucs", message: "has no such subtrack")),
        Defect(
            name: "unknown program", file: "enrollments.csv",
            contents: F.enrollmentsHeader + "P1,VIP,dc/ucs,2015-02-01\nP2,VIP26,dc/ucs,2015-02-01\n",
            expected: ExpectedDiagnostic(
                file: "/enrollments.csv", line: 3, column: "program", value: "VIP26", message: "unknown program (loaded: MDF, VIP)")),
        Defect(
            name: "program ids are case-sensitive", file: "enrollments.csv", contents: F.enrollmentsHeader + "P1,vip,dc/ucs,2015-02-01\n",
            expected: ExpectedDiagnostic(file: "/enrollments.csv", line: 2, column: "program", value: "vip", message: "unknown program")),
        Defect(
            name: "enrolment after the period end", file: "enrollments.csv",
            contents: F.enrollmentsHeader + "P1,VIP,dc/ucs,2015-07-25\nP2,VIP,dc/ucs,2015-07-26\n",
            expected: ExpectedDiagnostic(
                file: "/enrollments.csv", line: 3, column: "enrolled_on", value: "2015-07-26", message: "after the end of VIP (2015-07-25)")),
        Defect(
            name: "enrolment in an MDF program", file: "enrollments.csv", contents: F.enrollmentsHeader + "P1,MDF,gold,2023-02-01\n",
            expected: ExpectedDiagnostic(file: "/enrollments.csv", line: 2, column: "program", value: "MDF", message: "is an MDF program")),
        Defect(
            name: "same subtrack enrolled twice", file: "enrollments.csv",
            contents: F.enrollmentsHeader + "P1,VIP,dc/ucs,2015-02-01\nP2,VIP,dc/ucs,2015-02-01\nP1,VIP,dc/ucs,2015-03-01\n",
            expected: ExpectedDiagnostic(
                file: "/enrollments.csv", line: 4, column: "subtrack", value: "dc/ucs", message: "partner P1 is already enrolled in it (line 2)")),
        // products.csv
        Defect(
            name: "duplicate SKU", file: "products.csv", contents: F.products + "UCS-A,Again,DC\n",
            expected: ExpectedDiagnostic(file: "/products.csv", line: 4, column: "sku", value: "UCS-A", message: "duplicate SKU (first on line 2)")),
        // fx.csv (the EUR row of line 2 stays valid, so the EUR booking still converts)
        Defect(
            name: "fx rate with 7 decimals", file: "fx.csv", contents: F.fx + "EUR,2015-06-01,1.1234567\n",
            expected: ExpectedDiagnostic(
                file: "/fx.csv", line: 3, column: "rate", value: "1.1234567", message: "expected an exchange rate with at most 6 decimals")),
        Defect(
            name: "fx rate 0", file: "fx.csv", contents: F.fx + "GBP,2015-01-01,0\n",
            expected: ExpectedDiagnostic(file: "/fx.csv", line: 3, column: "rate", value: "0", message: "an exchange rate must be above 0")),
        Defect(
            name: "fx rate 0.000000", file: "fx.csv", contents: F.fx + "GBP,2015-01-01,0.000000\n",
            expected: ExpectedDiagnostic(file: "/fx.csv", line: 3, column: "rate", value: "0.000000", message: "must be above 0")),
        Defect(
            name: "negative fx rate", file: "fx.csv", contents: F.fx + "GBP,2015-01-01,-1.2\n",
            expected: ExpectedDiagnostic(file: "/fx.csv", line: 3, column: "rate", value: "-1.2", message: "must not be negative")),
        Defect(
            name: "fx currency of 4 letters", file: "fx.csv", contents: F.fx + "EURO,2015-01-01,1.2\n",
            expected: ExpectedDiagnostic(file: "/fx.csv", line: 3, column: "currency", value: "EURO", message: "ISO 4217")),
        Defect(
            name: "duplicate fx (currency, valid_from)", file: "fx.csv", contents: F.fx + "eur,2015-01-01,1.2\n",
            expected: ExpectedDiagnostic(
                file: "/fx.csv", line: 3, column: "valid_from", value: "2015-01-01", message: "a EUR rate from this date is already given (line 2)")),
    ]

    @Test(arguments: tableValues)
    func badValueInTable(_ defect: Defect) throws {
        expectOnlyError(try defect.fixture.failure(), defect.expected)
    }

    // MARK: - Unknown partners

    static let unknownPartners: [Defect] = [
        Defect(
            name: "bookings", file: "bookings.csv", contents: bookings("O4,1,PX,2015-03-01,,UCS-A,1,10.00,USD,"),
            expected: ExpectedDiagnostic(
                file: "/bookings.csv", line: 5, column: "partner_id", value: "PX", message: "unknown partner (not in partners.csv)")),
        Defect(
            name: "bookings, ids are case-sensitive", file: "bookings.csv", contents: bookings("O4,1,p1,2015-03-01,,UCS-A,1,10.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "partner_id", value: "p1", message: "unknown partner")),
        Defect(
            name: "credentials", file: "credentials.csv", contents: F.credentials + "PX,ADV-UCT,2014-01-01,\n",
            expected: ExpectedDiagnostic(
                file: "/credentials.csv", line: 4, column: "partner_id", value: "PX", message: "unknown partner (not in partners.csv)")),
        Defect(
            name: "csat", file: "csat.csv", contents: F.csat + "PX,S-3,2015-03-01\n",
            expected: ExpectedDiagnostic(
                file: "/csat.csv", line: 4, column: "partner_id", value: "PX", message: "unknown partner (not in partners.csv)")),
        Defect(
            name: "services", file: "services.csv", contents: F.services + "PX,Managed UC,true,2015-01-01,\n",
            expected: ExpectedDiagnostic(
                file: "/services.csv", line: 4, column: "partner_id", value: "PX", message: "unknown partner (not in partners.csv)")),
        Defect(
            name: "enrollments", file: "enrollments.csv", contents: F.enrollments + "PX,VIP,dc/ucs,2015-02-01\n",
            expected: ExpectedDiagnostic(
                file: "/enrollments.csv", line: 4, column: "partner_id", value: "PX", message: "unknown partner (not in partners.csv)")),
    ]

    @Test(arguments: unknownPartners)
    func unknownPartner(_ defect: Defect) throws {
        expectOnlyError(try defect.fixture.failure(), defect.expected)
    }

    // MARK: - Booking lines

    static let bookingValues: [Defect] = [
        Defect(
            name: "malformed booked_on", file: "bookings.csv", contents: bookings("O4,1,P1,2015-3-1,,UCS-A,1,10.00,USD,"),
            expected: ExpectedDiagnostic(
                file: "/bookings.csv", line: 5, column: "booked_on", value: "2015-3-1", message: "expected a real calendar date YYYY-MM-DD")),
        Defect(
            name: "impossible booked_on 2015-02-30", file: "bookings.csv", contents: bookings("O4,1,P1,2015-02-30,,UCS-A,1,10.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "booked_on", value: "2015-02-30", message: "real calendar date")),
        Defect(
            name: "impossible shipped_on 2015-02-29", file: "bookings.csv", contents: bookings("O4,1,P1,2015-02-01,2015-02-29,UCS-A,1,10.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "shipped_on", value: "2015-02-29", message: "real calendar date")),
        Defect(
            name: "amount 12,50 (quoted)", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,1,\"12,50\",USD,"),
            expected: ExpectedDiagnostic(
                file: "/bookings.csv", line: 5, column: "amount", value: "12,50",
                message: "expected an amount: a decimal with '.' as separator and at most 2 decimals, no thousands separators or currency signs")),
        Defect(
            name: "amount with 3 decimals", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,1,1.234,USD,"),
            expected: ExpectedDiagnostic(
                file: "/bookings.csv", line: 5, column: "amount", value: "1.234", message: "expected an amount with at most 2 decimals")),
        Defect(
            name: "amount with a currency sign", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,1,€12,USD,"),
            expected: ExpectedDiagnostic(
                file: "/bookings.csv", line: 5, column: "amount", value: "€12", message: "no thousands separators or currency signs")),
        Defect(
            name: "empty amount", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,1,,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "amount", value: "", message: "expected an amount")),
        Defect(
            name: "amount beyond 10^15 cents", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,1,10000000000000.01,USD,"),
            expected: ExpectedDiagnostic(
                file: "/bookings.csv", line: 5, column: "amount", value: "10000000000000.01", message: "an amount is too large")),
        Defect(
            name: "currency of 2 letters", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,1,10.00,US,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "currency", value: "US", message: "ISO 4217")),
        Defect(
            name: "quantity not a number", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,two,10.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "quantity", value: "two", message: "expected a number")),
        Defect(
            name: "empty sku", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,  ,1,10.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "sku", message: "required value is empty")),
        Defect(
            name: "empty order_id", file: "bookings.csv", contents: bookings(",1,P1,2015-03-01,,UCS-A,1,10.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "order_id", message: "required value is empty")),
        Defect(
            name: "duplicate (order_id, line)", file: "bookings.csv", contents: bookings(" O1 ,1,P2,2015-03-05,,UCS-B,1,10.00,USD,"),
            expected: ExpectedDiagnostic(
                file: "/bookings.csv", line: 5, column: "order_id, line", value: "O1, 1", message: "duplicate order line (first on line 2)")),
        Defect(
            name: "too few fields", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,1,10.00,USD"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, message: "expected 10 fields like the header, found 9")),
        Defect(
            name: "too many fields (unquoted 1,234.00)", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,UCS-A,1,1,234.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, message: "expected 10 fields like the header, found 11")),
        Defect(
            name: "text after a closing quote", file: "bookings.csv", contents: bookings("O4,1,P1,2015-03-01,,\"UCS-A\"x,1,10.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, message: "unexpected text after a closing quote")),
        Defect(
            name: "unterminated quote (reported on the record's first line)", file: "bookings.csv",
            contents: bookings(
                "O4,1,P1,2015-03-01,,UCS-A,1,\"10.00,USD,\nO5,1,P1,2015-03-01,,UCS-A,1,10.00,USD,\nO6,1,P1,2015-03-01,,UCS-A,1,10.00,USD,"),
            expected: ExpectedDiagnostic(file: "/bookings.csv", line: 5, message: "unterminated quote")),
    ]

    @Test(arguments: bookingValues)
    func badBookingLine(_ defect: Defect) throws {
        expectOnlyError(try defect.fixture.failure(), defect.expected)
    }

    @Test func unterminatedQuoteInPartners() throws {
        // P2's record (line 3) never closes its quote; nothing after it can be read.
        let report = try F.valid.with("partners.csv", F.partnersHeader + "P1,Alpha,NL,gold,true\nP2,\"Beta,DE,select,false\n").failure()
        expectError(report, ExpectedDiagnostic(file: "/partners.csv", line: 3, message: "unterminated quote"))
        #expect(report.collector.errorCount == 1, "\(listing(report.collector.errors))")
    }

    @Test func wrongFieldCountInPartners() throws {
        let report = try F.valid.with("partners.csv", F.partnersHeader + "P1,Alpha,NL,gold,true\nP2,Beta,DE,select\n").failure()
        expectError(report, ExpectedDiagnostic(file: "/partners.csv", line: 3, message: "expected 5 fields like the header, found 4"))
        #expect(report.collector.errorCount == 1, "\(listing(report.collector.errors))")
    }

    @Test func physicalLinesAfterMultilineQuotedFieldsWithBOMAndCRLF() throws {
        // A BOM, CRLF line ends, an extra `note` column holding line breaks and a blank line.
        let bookings =
            "\u{FEFF}order_id,line,partner_id,booked_on,sku,amount,currency,note\r\n"  // 1
            + "O1,1,P1,2015-03-01,UCS-A,1000.00,USD,\"first\r\nsecond\r\nthird\"\r\n"  // 2-4
            + "\r\n"  // 5
            + "O2,1,P1,2015-03-02,UCS-A,10.00,USD,\"a \"\"quoted\"\", text\"\r\n"  // 6
            + "O3,1,P1,2015-03-03,UCS-A,12.345,USD,\r\n"  // 7
            + "O4,1,P1,2015-03-04,UCS-A,1.00,USD,\"x\ny\"\r\n"  // 8-9
            + "O5,1,P1,2015-02-30,UCS-A,1.00,USD,"  // 10, no line end
        let report = try F.valid.with("bookings.csv", bookings).failure()
        let errors = report.collector.errors
        #expect(errors.count == 2, "\(listing(errors))")
        expectError(report, ExpectedDiagnostic(file: "/bookings.csv", line: 7, column: "amount", value: "12.345", message: "at most 2 decimals"))
        expectError(
            report, ExpectedDiagnostic(file: "/bookings.csv", line: 10, column: "booked_on", value: "2015-02-30", message: "real calendar date"))
    }

    // MARK: - Currency conversion

    static let missingRates: [(name: String, fx: String?)] = [
        ("no fx.csv", nil),
        ("fx.csv with a header only", F.fxHeader),
        ("EUR rate only from a later date", F.fxHeader + "EUR,2015-04-02,1.1\n"),
        ("rates of other currencies only", F.fxHeader + "GBP,2015-01-01,1.3\n"),
    ]

    @Test(arguments: missingRates.map(\.name))
    func missingFXRateForBookingInPeriod(_ name: String) throws {
        let fx = Self.missingRates.first { $0.name == name }!.fx
        let report = try F.valid.with("fx.csv", fx).failure()
        // Line 4 of bookings.csv: O3, 100.00 EUR booked 2015-04-01, inside the VIP period.
        expectOnlyError(
            report,
            ExpectedDiagnostic(
                file: "/bookings.csv", line: 4, column: "currency", value: "EUR",
                message: "no fx rate for EUR on or before 2015-04-01 (needed to convert into USD for VIP)"))
        #expect(report.errorLines.first?.contains("bookings.csv:4: currency \"EUR\": no fx rate for EUR on or before 2015-04-01") == true)
    }

    @Test func foreignBookingOutsideEveryPeriodNeedsNoRate() throws {
        let bookings =
            F.bookingsHeader + """
                O1,1,P1,2015-03-01,,UCS-A,1,1000.00,USD,
                O2,1,P1,2016-01-10,,UCS-A,1,100.00,EUR,
                O3,1,P1,2015-01-24,,UCS-A,1,100.00,GBP,
                O4,1,P1,2023-07-30,,UCS-A,1,100.00,CHF,

                """
        let loaded = try F.valid.with("fx.csv", nil).with("bookings.csv", bookings).success()
        #expect(loaded.warnings.diagnostics.isEmpty)
        let rows = ResultsCSV.render(Engine.compute(loaded).rows).split(separator: "\n").dropFirst().map(String.init)
        #expect(rows.contains("VIP,vip,P1,dc/ucs,1000.00,0.00,true,60.00,0.00,"), "\(rows)")
    }

    // MARK: - Warnings

    @Test func skuMissingFromProductsIsOnlyAWarning() throws {
        let loaded = try F.valid.with("bookings.csv", Self.bookings("O4,1,P1,2015-03-01,,UCS-Z,1,10.00,USD,")).success()
        let warnings = loaded.warnings.warnings
        #expect(loaded.warnings.errorCount == 0)
        #expect(warnings.count == 1, "\(listing(warnings))")
        let expected = ExpectedDiagnostic(.warning, file: "/bookings.csv", line: 5, column: "sku", value: "UCS-Z", message: "not in products.csv")
        #expect(warnings.contains(where: expected.matches), "\(listing(warnings))")
        #expect(loaded.warnings.lines(severity: .warning).first?.hasSuffix("bookings.csv:5: warning: sku \"UCS-Z\": not in products.csv") == true)
        // The line still counts: 1110.00 + 10.00.
        let rows = ResultsCSV.render(Engine.compute(loaded).rows).split(separator: "\n").dropFirst().map(String.init)
        #expect(rows.contains("VIP,vip,P1,dc/ucs,1120.00,0.00,true,67.20,0.00,"), "\(rows)")
    }

    @Test func withoutProductsFileNoSKUWarning() throws {
        let loaded = try F.valid.with("products.csv", nil).with("bookings.csv", Self.bookings("O4,1,P1,2015-03-01,,UCS-Z,1,10.00,USD,")).success()
        #expect(loaded.warnings.diagnostics.isEmpty)
    }

    // MARK: - Every problem collected, up to 100 per file

    @Test func allProblemsOfAFileAreCollected() throws {
        let partners =
            F.partnersHeader + """
                P1,Alpha,NL,gold,true
                P2,Beta,DE,diamond,false
                P3,Gamma,XX,gold,true
                P4,Delta,BE,select,perhaps

                """
        let report = try F.valid.with("partners.csv", partners).failure()
        let errors = report.collector.errors
        #expect(errors.count == 3, "\(listing(errors))")
        #expect(errors.map(\.line) == [3, 4, 5])
        expectError(report, ExpectedDiagnostic(file: "/partners.csv", line: 3, column: "tier", value: "diamond", message: "unknown tier"))
        expectError(report, ExpectedDiagnostic(file: "/partners.csv", line: 4, column: "country", value: "XX", message: "ISO 3166-1"))
        expectError(
            report, ExpectedDiagnostic(file: "/partners.csv", line: 5, column: "provider", value: "perhaps", message: "expected true or false"))
    }

    @Test func problemsOfSeveralFilesAreCollectedTogether() throws {
        let vip = F.vip.replacingOccurrences(of: "rebate_percent: 6", with: "rebate_percent: 25")
        let report = try F.valid
            .with("vip.yaml", vip)
            .with("csat.csv", F.csatHeader + "P1,S-1,2015-13-01\n")
            .with("bookings.csv", Self.bookings("O4,1,P1,2015-03-01,,UCS-A,1,1.234,USD,"))
            .failure()
        #expect(report.collector.errorCount == 3, "\(listing(report.collector.errors))")
        expectError(
            report, ExpectedDiagnostic(file: "/vip.yaml", line: 9, column: "rebate_percent", value: "25", message: "above max_rebate_percent (20)"))
        expectError(
            report, ExpectedDiagnostic(file: "/csat.csv", line: 2, column: "submitted_on", value: "2015-13-01", message: "real calendar date"))
        expectError(report, ExpectedDiagnostic(file: "/bookings.csv", line: 5, column: "amount", value: "1.234", message: "at most 2 decimals"))
    }

    @Test func atMost100ProblemsPerFileThenACount() throws {
        var bookings = F.bookingsHeader
        for index in 1...150 { bookings += "B\(index),1,P1,2015-03-01,,UCS-A,1,12.345,USD,\n" }
        let report = try F.valid.with("bookings.csv", bookings).failure()
        let kept = report.collector.errors.filter { $0.file.hasSuffix("/bookings.csv") }
        #expect(kept.count == 100)
        #expect(report.collector.errors.count == 100)
        #expect(report.collector.errorCount == 150)
        #expect(kept.map(\.line) == Array(2...101).map { Optional($0) })
        #expect(kept.allSatisfy { $0.column == "amount" && $0.value == "12.345" })
        #expect(report.errorLines.count == 101)
        #expect(report.errorLines.last?.hasSuffix("/data/bookings.csv: ... and 50 more problems") == true, "\(report.errorLines.last ?? "")")
        #expect(report.description.hasSuffix("... and 50 more problems"))
        #expect(report.collector.omitted.values.reduce(0, +) == 50)
    }

    // MARK: - Program files

    static let programDefects: [Defect] = [
        Defect(
            name: "unknown top-level key", file: "vip.yaml",
            contents: """
                id: VIP
                kind: vip
                currency: USD
                rebate_percnt: 5
                period: {start: 2015-01-25, end: 2015-07-25}
                tracks:
                  - id: dc
                    subtracks:
                      - id: ucs
                        rebate_percent: 6
                        products: ["UCS-*"]
                """,
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 4, column: "rebate_percnt", message: "unknown key in a vip program")),
        Defect(
            name: "MDF-only key in a VIP program", file: "vip.yaml", contents: F.vip + "intended_use_rules: [{counts: any}]\n",
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 11, column: "intended_use_rules", message: "unknown key")),
        Defect(
            name: "unknown key inside a subtrack", file: "vip.yaml", contents: F.vip + "        requires_al: [ADV-UCT]\n",
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 11, column: "requires_al", message: "unknown key in a subtrack")),
        Defect(
            name: "period start after end", file: "vip.yaml",
            contents: F.vip.replacingOccurrences(of: "{start: 2015-01-25, end: 2015-07-25}", with: "{start: 2015-07-25, end: 2015-01-25}"),
            expected: ExpectedDiagnostic(
                file: "/vip.yaml", line: 4, column: "period", message: "the period starts (2015-07-25) after it ends (2015-01-25)")),
        Defect(
            name: "impossible period date", file: "vip.yaml",
            contents: F.vip.replacingOccurrences(of: "end: 2015-07-25", with: "end: 2015-06-31"),
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 4, column: "period.end", value: "2015-06-31", message: "real calendar date")),
        Defect(
            name: "duplicate track id", file: "vip.yaml",
            contents: F.vip + """
                  - id: dc
                    subtracks:
                      - id: nexus
                        rebate_percent: 4
                        products: ["N9K-*"]

                """,
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 11, column: "id", value: "dc", message: "duplicate track id")),
        Defect(
            name: "duplicate subtrack id in a track", file: "vip.yaml",
            contents: F.vip + """
                      - id: ucs
                        rebate_percent: 4
                        products: ["UCSX-*"]

                """,
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 11, column: "id", value: "ucs", message: "duplicate subtrack id in track dc")),
        Defect(
            name: "rebate_percent above the default maximum 20", file: "vip.yaml",
            contents: F.vip.replacingOccurrences(of: "rebate_percent: 6", with: "rebate_percent: 20.5"),
            expected: ExpectedDiagnostic(
                file: "/vip.yaml", line: 9, column: "rebate_percent", value: "20.5", message: "above max_rebate_percent (20)")),
        Defect(
            name: "rebate_percent above a given maximum", file: "vip.yaml",
            contents: F.vip.replacingOccurrences(of: "rebate_percent: 6", with: "rebate_percent: 12") + "max_rebate_percent: 10\n",
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 9, column: "rebate_percent", value: "12", message: "above max_rebate_percent (10)")),
        Defect(
            name: "negative rebate_percent", file: "vip.yaml",
            contents: F.vip.replacingOccurrences(of: "rebate_percent: 6", with: "rebate_percent: -1"),
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 9, column: "rebate_percent", value: "-1", message: "a percent must not be negative")
        ),
        Defect(
            name: "percent with 5 decimals", file: "vip.yaml",
            contents: F.vip.replacingOccurrences(of: "rebate_percent: 6", with: "rebate_percent: 6.12345"),
            expected: ExpectedDiagnostic(
                file: "/vip.yaml", line: 9, column: "rebate_percent", value: "6.12345", message: "expected a percent with at most 4 decimals")),
        Defect(
            name: "negative minimum_volume", file: "vip.yaml", contents: F.vip + "        minimum_volume: -5\n",
            expected: ExpectedDiagnostic(
                file: "/vip.yaml", line: 11, column: "minimum_volume", value: "-5", message: "a minimum volume must not be negative")),
        Defect(
            name: "negative minimum_volume for a country", file: "vip.yaml", contents: F.vip + "        minimum_volume: {default: 100, NL: -5}\n",
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 11, column: "minimum_volume.NL", value: "-5", message: "must not be negative")),
        Defect(
            name: "unknown count_bookings_by", file: "vip.yaml", contents: F.vip + "count_bookings_by: invoiced_on\n",
            expected: ExpectedDiagnostic(
                file: "/vip.yaml", line: 11, column: "count_bookings_by", value: "invoiced_on", message: "expected booked_on or shipped_on")),
        Defect(
            name: "unknown tier in eligible_tiers", file: "vip.yaml", contents: F.vip + "eligible_tiers: [gold, platinum]\n",
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 11, column: "eligible_tiers", value: "platinum", message: "unknown tier")),
        Defect(
            name: "unknown knowledge_deadline", file: "vip.yaml", contents: F.vip + "knowledge_deadline: enrolment\n",
            expected: ExpectedDiagnostic(
                file: "/vip.yaml", line: 11, column: "knowledge_deadline", value: "enrolment", message: "expected period_end or enrollment")),
        Defect(
            name: "VIP without tracks", file: "vip.yaml",
            contents: "id: VIP\nkind: vip\ncurrency: USD\nperiod: {start: 2015-01-25, end: 2015-07-25}\n",
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 1, column: "tracks", message: "missing required key in a vip program")),
        Defect(
            name: "VIP without currency", file: "vip.yaml", contents: F.vip.replacingOccurrences(of: "currency: USD\n", with: ""),
            expected: ExpectedDiagnostic(file: "/vip.yaml", line: 1, column: "currency", message: "missing required key")),
        Defect(
            name: "MDF without tiers", file: "mdf.yaml",
            contents: """
                id: MDF
                kind: mdf
                currency: USD
                period: {start: 2023-01-29, end: 2023-07-29}
                intended_use_rules:
                  - {counts: any}
                """,
            expected: ExpectedDiagnostic(file: "/mdf.yaml", line: 1, column: "tiers", message: "missing required key in an mdf program")),
        Defect(
            name: "unknown tier in MDF tiers", file: "mdf.yaml", contents: F.mdf + "  platinum: {accrual_percent: 3}\n",
            expected: ExpectedDiagnostic(file: "/mdf.yaml", line: 11, column: "tiers", value: "platinum", message: "unknown tier")),
        Defect(
            name: "accrual_percent above max_rebate_percent", file: "mdf.yaml",
            contents: F.mdf.replacingOccurrences(of: "accrual_percent: 1,", with: "accrual_percent: 25,"),
            expected: ExpectedDiagnostic(
                file: "/mdf.yaml", line: 10, column: "accrual_percent", value: "25", message: "above max_rebate_percent (20)")),
        Defect(
            name: "negative accrual_percent", file: "mdf.yaml",
            contents: F.mdf.replacingOccurrences(of: "accrual_percent: 2,", with: "accrual_percent: -2,"),
            expected: ExpectedDiagnostic(file: "/mdf.yaml", line: 9, column: "accrual_percent", value: "-2", message: "must not be negative")),
        Defect(
            name: "negative MDF minimum_volume", file: "mdf.yaml",
            contents: F.mdf.replacingOccurrences(of: "minimum_volume: 50000", with: "minimum_volume: -50000"),
            expected: ExpectedDiagnostic(file: "/mdf.yaml", line: 10, column: "minimum_volume", value: "-50000", message: "must not be negative")),
        Defect(
            name: "unknown key in an MDF tier", file: "mdf.yaml",
            contents: F.mdf.replacingOccurrences(of: "minimum_volume: 50000", with: "minimum_volum: 50000"),
            expected: ExpectedDiagnostic(file: "/mdf.yaml", line: 10, column: "minimum_volum", message: "unknown key in tier select")),
        Defect(
            name: "VIP-only key in an MDF program", file: "mdf.yaml", contents: F.mdf + "csat_required: 3\n",
            expected: ExpectedDiagnostic(file: "/mdf.yaml", line: 11, column: "csat_required", message: "unknown key")),
    ]

    @Test(arguments: programDefects)
    func badProgramFile(_ defect: Defect) throws {
        expectOnlyError(try defect.fixture.failure(), defect.expected)
    }

    @Test func invalidYAMLSyntaxNamesTheLine() throws {
        // Line 6 opens a flow sequence inside a block mapping with a bad indentation.
        let yaml = """
            id: VIP
            kind: vip
            currency: USD
            period: {start: 2015-01-25, end: 2015-07-25}
            tracks:
              - id: dc: x
                subtracks: []

            """
        let report = try F.valid.with("vip.yaml", yaml).failure()
        let errors = report.collector.errors
        #expect(errors.count == 1, "\(listing(errors))")
        let error = try #require(errors.first)
        #expect(error.file.hasSuffix("/vip.yaml"))
        #expect(error.line == 6)
        // In words for someone editing the file, not libyaml's "mapping values are not allowed in this context" (issue 11).
        #expect(error.message.hasPrefix("invalid YAML at column "))
        #expect(error.message.hasSuffix(": a ':' where no key can start: this line is indented further than the keys above it, or a value holds ': ' and needs quotes"))
    }

    @Test func sameKeyTwiceInASubtrack() throws {
        // rebate_percent on line 9, again on line 11.
        let report = try F.valid.with("vip.yaml", F.vip + "        rebate_percent: 7\n").failure()
        let errors = report.collector.errors
        #expect(errors.count == 1, "\(listing(errors))")
        let error = try #require(errors.first)
        #expect(error.file.hasSuffix("/programs/vip.yaml"))
        #expect(error.message == "the same key is given twice in one mapping")
        #expect(error.column == "rebate_percent")
        // The YAML parser (Yams) names the line of the first occurrence, not the repeat on line 11.
        #expect(error.line == 9)
    }

    @Test func duplicateProgramIDsAcrossFiles() throws {
        // Files are read in name order: vip-copy.yaml before vip.yaml.
        let report = try F.valid.with("vip-copy.yaml", F.vip).failure()
        let errors = report.collector.errors
        #expect(errors.count == 1, "\(listing(errors))")
        let error = try #require(errors.first)
        #expect(error.file.hasSuffix("/programs/vip.yaml"))
        #expect(error.column == "id")
        #expect(error.value == "VIP")
        #expect(error.message.hasPrefix("duplicate program id (also defined in "))
        #expect(error.message.hasSuffix("/programs/vip-copy.yaml)"))
        #expect(error.line == 1)
    }

    @Test func programsWithTwoCurrencies() throws {
        let other = F.vip.replacingOccurrences(of: "id: VIP", with: "id: OTHER").replacingOccurrences(of: "currency: USD", with: "currency: EUR")
        let report = try F.valid.with("other.yaml", other).failure()
        let errors = report.collector.errors
        #expect(errors.count == 1, "\(listing(errors))")
        let error = try #require(errors.first)
        #expect(error.file.hasSuffix("/programs/other.yaml"))
        #expect(error.column == "currency")
        #expect(error.value == "EUR")
        #expect(error.message.contains("all programs loaded together must use one currency"))
        #expect(error.message.contains("MDF uses USD"))
        #expect(error.line == 3)
    }

    @Test func rebatePercentAtTheMaximumIsAccepted() throws {
        let vip = F.vip.replacingOccurrences(of: "rebate_percent: 6", with: "rebate_percent: 20.0000")
        let loaded = try F.valid.with("vip.yaml", vip).success()
        let program = try #require(loaded.programs.first { $0.id == "VIP" })
        guard case .vip(let rules) = program.rules else {
            Issue.record("VIP is not a vip program")
            return
        }
        #expect(rules.tracks.first?.subtracks.first?.rebatePercent == ScaledDecimal(units: 200_000, scale: 4))
    }

    @Test func productsFileWithoutFinalNewlineKeepsItsSKU() throws {
        // A one-line catalogue without a final line end, as editors often save it.
        let loaded = try F.valid.with("products.csv", "sku,description,family\nUCS-A,Cisco UCS B200 M4 Blade Server,DC")
            .with("bookings.csv", F.bookingsHeader + "O1,1,P1,2015-03-01,,UCS-A,1,1000.00,USD,\n")
            .success()
        #expect(loaded.warnings.diagnostics.isEmpty, "\(listing(loaded.warnings.diagnostics))")
    }

    @Test func partnersFileWithoutFinalNewlineLoads() throws {
        let fixture = F.valid
            .with("partners.csv", F.partnersHeader + "P1,Alpha Networks International Holding BV,NL,gold,true")
            .with("credentials.csv", F.credentialsHeader + "P1,ADV-UCT,2014-01-01,\n")
            .with("services.csv", F.servicesHeader + "P1,Managed UC,true,2015-01-01,\n")
            .with("enrollments.csv", F.enrollmentsHeader + "P1,VIP,dc/ucs,2015-02-01\n")
            .with("bookings.csv", F.bookingsHeader + "O1,1,P1,2015-03-01,,UCS-A,1,1000.00,USD,\n")
        let loaded = try fixture.success()
        #expect(loaded.dataset.partners.first?.name == "Alpha Networks International Holding BV")
    }

    @Test func bomBeforeQuotedHeaderNames() throws {
        // Exported "CSV UTF-8" with every field quoted.
        let partners =
            "\u{FEFF}\"partner_id\",\"name\",\"country\",\"tier\",\"provider\"\n\"P1\",\"Alpha\",\"NL\",\"gold\",\"true\"\n\"P2\",\"Beta\",\"DE\",\"select\",\"false\"\n"
        let loaded = try F.valid.with("partners.csv", partners).success()
        #expect(loaded.dataset.partners.map(\.id) == ["P1", "P2"])
    }

    @Test func validEdgeValuesLoad() throws {
        // Case-insensitive codes, tiers and booleans; leap day; 6-decimal rate; 4-decimal percent; credits; spaces.
        let fixture = F.valid
            .with("partners.csv", F.partnersHeader + "P1, Alpha ,nl,GOLD,YES\nP2,Beta,De,Select,0\n")
            .with("credentials.csv", F.credentialsHeader + "P1,ADV-UCT,2016-02-29,2016-02-29\nP2,ADV-UCT,2014-06-01,\n")
            .with("services.csv", F.servicesHeader + "P1,Managed UC,True,2015-01-01,2015-01-01\n")
            .with("fx.csv", F.fxHeader + "eur,2015-01-01,1.123456\n")
            .with("enrollments.csv", F.enrollmentsHeader + "P1,VIP,dc/ucs,2015-07-25\n")
            .with(
                "bookings.csv",
                F.bookingsHeader
                    + "O1,1,P1,2015-03-01,,UCS-A,1.5,-99.95,usd,\nO1,2,P1,2015-03-01,,UCS-A,-1,1234,USD,\no1,1,P1,2015-04-01,,UCS-A,,100,Eur,\n"
            )
            .with("vip.yaml", F.vip.replacingOccurrences(of: "rebate_percent: 6", with: "rebate_percent: 6.1234"))
        let loaded = try fixture.success()
        #expect(loaded.warnings.diagnostics.isEmpty)
        #expect(loaded.dataset.partners.map(\.country) == ["NL", "DE"])
        #expect(loaded.dataset.partners.map(\.tier) == [.gold, .select])
        #expect(loaded.dataset.partners.map(\.provider) == [true, false])
        // -99.95 + 1234.00 + 100 EUR x 1.123456 = 112.35 (rounded per line) -> 1246.40.
        let rows = ResultsCSV.render(Engine.compute(loaded).rows).split(separator: "\n").dropFirst().map(String.init)
        #expect(rows.contains { $0.hasPrefix("VIP,vip,P1,dc/ucs,1246.40,") }, "\(rows)")
    }

    // MARK: - CSV reader

    /// BOM, CRLF, quoted commas, doubled quotes, line breaks in quotes, spaces, blank lines (a file without a final newline: below).
    static let sample =
        "\u{FEFF}id,name , note\r\n"  // 1
        + "1,\"Smith, John\",\"say \"\"hi\"\"\"\r\n"  // 2
        + "\r\n"  // 3 (blank)
        + "\n"  // 4 (blank)
        + "2,  spaced out\t, \"quoted\" \n"  // 5
        + "3,\"multi\nline\r\nnote\",x\n"  // 6-8
        + "4,after,\"\"\n"  // 9
        + "5,last,\"quoted\"\r\n"  // 10

    @Test(arguments: CSVSource.all)
    func readerParsesRFC4180(_ source: CSVSource) throws {
        let reader = try source.reader(Self.sample)
        #expect(reader.header == ["id", "name", "note"])
        #expect(reader.column("id") == 0)
        #expect(reader.column("note") == 2)
        let records = try readAllRecords(reader)
        #expect(
            records == [
                CSVTestRecord(line: 2, fields: ["1", "Smith, John", "say \"hi\""]),
                CSVTestRecord(line: 5, fields: ["2", "spaced out", "quoted"]),
                CSVTestRecord(line: 6, fields: ["3", "multi\nline\r\nnote", "x"]),
                CSVTestRecord(line: 9, fields: ["4", "after", ""]),
                CSVTestRecord(line: 10, fields: ["5", "last", "quoted"]),
            ])
        #expect(reader.linesRead == 10)
        #expect(try reader.next() == false)
    }

    /// Files whose last line has no line end, with what must be read from them.
    static let withoutFinalNewline: [(text: String, records: [CSVTestRecord], lines: Int)] = [
        (
            Self.sample + "6,end,no newline",
            [
                CSVTestRecord(line: 2, fields: ["1", "Smith, John", "say \"hi\""]),
                CSVTestRecord(line: 5, fields: ["2", "spaced out", "quoted"]),
                CSVTestRecord(line: 6, fields: ["3", "multi\nline\r\nnote", "x"]),
                CSVTestRecord(line: 9, fields: ["4", "after", ""]),
                CSVTestRecord(line: 10, fields: ["5", "last", "quoted"]),
                CSVTestRecord(line: 11, fields: ["6", "end", "no newline"]),
            ], 11
        ),
        (
            // Garbled when read from a file in chunks of 1, 2 or 7 bytes (last record read as `e,line,...`).
            "a,b,c\n1,\"Smith, John\",\"say \"\"hi\"\"\"\r\n\r\n\n2,  spaced out\t, \"quoted\" \n3,\"multi\nline\r\nnote\",x\n4,after,\"\"\n5,last,no newline",
            [
                CSVTestRecord(line: 2, fields: ["1", "Smith, John", "say \"hi\""]),
                CSVTestRecord(line: 5, fields: ["2", "spaced out", "quoted"]),
                CSVTestRecord(line: 6, fields: ["3", "multi\nline\r\nnote", "x"]),
                CSVTestRecord(line: 9, fields: ["4", "after", ""]),
                CSVTestRecord(line: 10, fields: ["5", "last", "no newline"]),
            ], 10
        ),
        ("a,b\r\n1,\"x\r\ny\"", [CSVTestRecord(line: 2, fields: ["1", "x\r\ny"])], 3),
        ("a\n1234567890", [CSVTestRecord(line: 2, fields: ["1234567890"])], 2),
        (
            "a,b\n1,2\n3,4\nlonglonglonglonglonglong,99999999999999999999",
            [
                CSVTestRecord(line: 2, fields: ["1", "2"]), CSVTestRecord(line: 3, fields: ["3", "4"]),
                CSVTestRecord(line: 4, fields: ["longlonglonglonglonglong", "99999999999999999999"]),
            ], 4
        ),
    ]

    @Test(arguments: CSVSource.all, 0..<withoutFinalNewline.count)
    func readerLastLineWithoutNewline(_ source: CSVSource, _ sampleIndex: Int) throws {
        let sample = Self.withoutFinalNewline[sampleIndex]
        let reader = try source.reader(sample.text)
        let records = try readAllRecords(reader)
        guard case .file = source else {
            // In memory the whole input is known up front: always right.
            #expect(records == sample.records)
            #expect(reader.linesRead == sample.lines)
            return
        }
        // From a file, whether the last record is damaged depends on where it sits in the buffer.
        #expect(records == sample.records)
        #expect(records.map(\.line) == sample.records.map(\.line))
        #expect(reader.linesRead == sample.lines)
    }

    @Test func readerFileWithoutFinalNewlineDefaultChunk() throws {
        // The engine reads with the default chunk: the last record starts at byte 4 and is 10 bytes long.
        let reader = try CSVSource.file(chunk: nil).reader("sku\nUCS-B200-M4")
        let records = try readAllRecords(reader)
        #expect(records == [CSVTestRecord(line: 2, fields: ["UCS-B200-M4"])])
        #expect(records.map(\.line) == [2])
    }

    @Test(arguments: CSVSource.all)
    func readerBOMOnlyOnTheFirstHeaderName(_ source: CSVSource) throws {
        let reader = try source.reader("\u{FEFF}sku,\u{FEFF}x\n\u{FEFF}A,B\n")
        #expect(reader.header == ["sku", "\u{FEFF}x"])
        #expect(try readAllRecords(reader) == [CSVTestRecord(line: 2, fields: ["\u{FEFF}A", "B"])])
    }

    @Test(arguments: CSVSource.all)
    func readerBOMBeforeAQuotedHeader(_ source: CSVSource) throws {
        // Tools that quote every field and write a BOM (Excel "CSV UTF-8") produce this header.
        let reader = try source.reader("\u{FEFF}\"partner_id\",\"name\"\r\n\"P1\",\"Alpha\"\r\n")
        #expect(reader.header == ["partner_id", "name"])
        #expect(try readAllRecords(reader) == [CSVTestRecord(line: 2, fields: ["P1", "Alpha"])])
    }

    @Test(arguments: CSVSource.all)
    func readerUnterminatedQuoteNamesTheRecordStart(_ source: CSVSource) throws {
        let reader = try source.reader("a,b\n1,2\n3,\"open\nstill open\n4,5\n")
        #expect(try reader.next() == true)
        #expect(reader.recordLine == 2)
        do {
            _ = try reader.next()
            Issue.record("expected an unterminated quote error")
        } catch {
            let diagnostic = try #require(error.collector.errors.first)
            #expect(diagnostic.file == "test.csv")
            #expect(diagnostic.line == 3)
            #expect(diagnostic.message.hasPrefix("unterminated quote"))
        }
    }

    @Test(arguments: CSVSource.all)
    func readerTextAfterClosingQuoteIsAProblemOfThatRecordOnly(_ source: CSVSource) throws {
        let reader = try source.reader("a,b\n1,\"x\"y\n2,\"3\"  \n")
        #expect(try reader.next() == true)
        #expect(reader.recordLine == 2)
        #expect(reader.recordProblem?.contains("unexpected text after a closing quote") == true)
        #expect(try reader.next() == true)
        #expect(reader.recordLine == 3)
        #expect(reader.recordProblem == nil)
        #expect((0..<reader.fieldCount).map { reader.string($0) } == ["2", "3"])
        #expect(try reader.next() == false)
    }

    @Test func readerEmptyInputHasNoHeader() throws {
        do {
            _ = try CSVReader(bytes: [], file: "empty.csv")
            Issue.record("expected an error for an empty file")
        } catch {
            let diagnostic = try #require(error.collector.errors.first)
            #expect(diagnostic.file == "empty.csv")
            #expect(diagnostic.line == 1)
            #expect(diagnostic.message.contains("the file is empty"))
        }
    }

    @Test(arguments: CSVSource.all)
    func readerHeaderOnlyWithoutNewline(_ source: CSVSource) throws {
        let reader = try source.reader("a, b ,c")
        #expect(reader.header == ["a", "b", "c"])
        #expect(try reader.next() == false)
        #expect(reader.linesRead == 1)
    }

    @Test func readerCountsFieldsOfShortAndLongRecords() throws {
        let reader = try CSVReader(bytes: Array("a,b,c\n1,2\n1,2,3,4\n,,\n".utf8), file: "t.csv")
        var counts: [Int] = []
        while try reader.next() { counts.append(reader.fieldCount) }
        #expect(counts == [2, 4, 3])
    }
}
