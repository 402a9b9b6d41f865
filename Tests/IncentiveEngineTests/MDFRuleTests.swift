import IncentiveEngine
import Testing

/// Partner Provider MDF rules of formats.md §2 with expectations worked out by hand.
@Suite struct MDFRuleTests {
    func scenario(partners: String, bookings: String, services: String = "") -> Scenario {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + partners
        scenario.files["bookings.csv"] = Scenario.bookingsHeader + bookings
        scenario.files["services.csv"] = "partner_id,service,strategic,active_from,active_until\n" + services
        scenario.programs["mdf.yaml"] = Scenario.mdf
        return scenario
    }

    @Test func tagSpellingsRuleChangeAndMissedMDF() throws {
        let rows = try scenario(
            partners: "S1,Select,NL,select,true\n",
            bookings: """
                O1,1,S1,2023-01-30,,X,1,10000,USD,
                O2,1,S1,2023-03-01,,X,1,20000,USD,Managed Services
                O3,1,S1,2023-03-02,,X,1,5000,USD,managed-services
                O4,1,S1,2023-03-03,,X,1,3000,USD," MANAGED SERVICES "
                O5,1,S1,2023-03-04,,X,1,2000,USD,Managed_Services
                O6,1,S1,2023-04-01,,X,1,15000,USD,
                O7,1,S1,2023-04-02,,X,1,7000,USD,Resale
                O8,1,S1,2023-08-01,,X,1,9000,USD,Managed Services

                """
        ).csvRows()
        // Qualifying: 10,000 (untagged, before 2023-02-01) + 20,000 + 5,000 + 3,000 + 2,000 = 40,000 < 50,000.
        // Untagged after the rule: 15,000. Tagged: 55,000 >= 50,000, 1% = 550.00 missed. Resale and August don't count.
        #expect(rows == ["MDF,mdf,S1,select,40000.00,50000.00,false,0.00,550.00,volume:40000.00<50000.00"])
    }

    @Test func strategicServiceActiveOnlyOnThePeriodsLastDay() throws {
        let rows = try scenario(
            partners:
                "G1,LastDay,NL,gold,true\nG2,EndedBefore,NL,gold,true\nG3,NotStrategic,NL,gold,true\nG4,NotProvider,NL,gold,false\nR1,Registered,NL,registered,true\n",
            bookings: """
                O1,1,G1,2023-03-01,,X,1,12345.67,USD,managed services
                O2,1,G1,2023-03-01,,X,1,100,USD,
                O3,1,G2,2023-03-01,,X,1,100000,USD,managed services
                O4,1,G3,2023-03-01,,X,1,100000,USD,managed services
                O5,1,G4,2023-03-01,,X,1,100000,USD,managed services
                O6,1,R1,2023-03-01,,X,1,100000,USD,managed services

                """,
            services: "G1,Cloud Voice,yes,2023-07-29,\nG2,SD-WAN,true,2022-01-01,2023-01-28\nG3,Hosting,false,2022-01-01,\n"
        ).csvRows()
        // G1: 12,345.67 x 2% = 246.9134 -> 246.91; tagged 12,445.67 x 2% = 248.9134 -> 248.91: missed 2.00.
        // G2, G3: no strategic service overlapping the period: 0, and tagging would not help: missed 0.
        // G4 is not a provider and R1's tier is not listed: no rows.
        #expect(
            rows == [
                "MDF,mdf,G1,gold,12345.67,0.00,true,246.91,2.00,",
                "MDF,mdf,G2,gold,100000.00,0.00,false,0.00,0.00,strategic_service:none",
                "MDF,mdf,G3,gold,100000.00,0.00,false,0.00,0.00,strategic_service:none",
            ])
    }

    @Test func premierHalfEvenAccrual() throws {
        let rows = try scenario(
            partners: "P1,Premier,NL,premier,true\n",
            bookings: "O1,1,P1,2023-06-01,,X,1,1000.30,USD,MANAGED-SERVICES\n",
            services: "P1,Voice,true,2023-01-01,2023-01-29\n"
        ).csvRows()
        // 1,000.30 x 1.5% = 15.0045 -> 15.00 (cents: 1500.45 -> 1500).
        #expect(rows == ["MDF,mdf,P1,premier,1000.30,0.00,true,15.00,0.00,"])
    }
}
