import Foundation
import IncentiveAdvisor
import IncentiveEngine
import Testing

/// The terminal table and the JSON document word the advice as they did before the wording moved to
/// `AdviceWords` (golden texts written by the code before that change, for the bundled example; recorded again
/// when forecasts and credit notes came in (issue 15), every changed line checked by hand: see AdvisorTests for the
/// arithmetic of NL1001 on 2015-04-30 and NL1005's shares).
@Suite struct AdviceWordsTests {
    @Test func theTerminalTableOfAVIPPartnerWithAPlan() throws {
        let advice = try AdvisorTests.advice("NL1001", asOf: "2015-04-30")
        let catalogue = try CredentialCatalogue.load(path: AdvisorTests.examples.appendingPathComponent("credentials.yaml").path)
        let table = AdviceOutput.table(advice, recommendation: Recommender.recommend(advice, catalogue: catalogue))
        #expect(table == Self.vipTable)
    }

    @Test func theTerminalTableOfAnMDFProvider() throws {
        let advice = try AdvisorTests.advice("NL1005", asOf: "2023-05-15", programs: ["PROVIDER-MDF-FY23-H2"])
        #expect(AdviceOutput.table(advice) == Self.mdfTable)
    }

    @Test func theJSONDocumentOfAnMDFProvider() throws {
        let advice = try AdvisorTests.advice("NL1005", asOf: "2023-07-29", programs: ["PROVIDER-MDF-FY23-H2"])
        #expect(AdviceOutput.json(advice) == Self.mdfJSON)
    }

    /// "Tagged" is what the program's `intended_use_rules` count, here `cloud`: of 3,500.00 in the period
    /// (1,000.00 cloud, 2,000.00 managed services, 500.00 untagged) 1,000.00 is tagged, 1,000 / 3,500 =
    /// 285.7‰ → 286 (28.6%); the untagged line has the cloud line's SKU, so it is the one to re-tag.
    @Test func taggedIsTheTagTheProgramCounts() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("advice-tags-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), programs = root.appendingPathComponent("programs")
        for folder in [data, programs] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let files = [
            data.appendingPathComponent("partners.csv"): "partner_id,name,country,tier,provider\nP1,One,NL,select,true\n",
            data.appendingPathComponent("bookings.csv"): """
            order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use
            O1,1,P1,2023-03-01,,SKU-A,1,1000,USD,cloud
            O2,1,P1,2023-03-02,,SKU-B,1,2000,USD,managed services
            O3,1,P1,2023-03-03,,SKU-A,1,500,USD,

            """,
            programs.appendingPathComponent("mdf.yaml"): """
            id: MDF
            kind: mdf
            currency: USD
            period: {start: 2023-01-29, end: 2023-07-29}
            intended_use_rules:
              - {counts: any}
              - {from: 2023-02-01, counts: [cloud]}
            tiers:
              select: {accrual_percent: 1, minimum_volume: 0}

            """,
        ]
        for (url, text) in files { try text.write(to: url, atomically: true, encoding: .utf8) }
        let day = try #require(Day(iso: "2023-07-29"))
        let input = try Engine.load(
            dataDirectory: data.path, programsDirectory: programs.path, tracePartner: "P1", bookingView: Advisor.bookings(asOf: day))
        let advice = try #require(Advisor.advise(partnerID: "P1", input: input, asOf: day))
        let mdf = try #require(advice.programs.first?.mdf)
        #expect(mdf.tags == ["cloud"])
        #expect(mdf.inPeriodVolume == Money(cents: 350_000))
        #expect(mdf.taggedVolume == Money(cents: 100_000))
        #expect(mdf.taggedPerMille == 286)
        #expect(mdf.candidates.map(\.orderID) == ["O3"])
        let table = AdviceOutput.table(advice)
        #expect(table.contains("    tagged cloud: 1,000.00 of 3,500.00 USD of orders in the period (28.6%)\n"))
        #expect(table.contains("when the same partner tagged cloud another line"))
        #expect(
            AdviceOutput.summary(advice, words: .english, format: .plain).last?.hasPrefix("MDF: 28.6% tagged cloud; untagged 500.00 USD cost") == true
        )
    }

    @Test func theTagsInWords() {
        #expect(AdviceWords.english.tags(["managed_services"]) == "managed_services")
        #expect(AdviceWords.english.tags(["managed_services"], readable: true) == "managed services")
        #expect(AdviceWords.dutch.tags(["a_b", "c"], readable: true) == "a b of c")
        #expect(AdviceWords.english.tags([]) == "(no tag required)")
        #expect(AdviceFormat.plain.share(perMille: 544) == "54.4%")
        #expect(AdviceFormat.plain.share(perMille: 5) == "0.5%")
    }

    static let mdfJSON = """
        {
          "as_of" : "2023-07-29",
          "partner_id" : "NL1005",
          "programs" : [
            {
              "currency" : "USD",
              "days_elapsed" : 182,
              "days_in_period" : 182,
              "id" : "PROVIDER-MDF-FY23-H2",
              "kind" : "mdf",
              "mdf" : {
                "candidates" : [
                  {
                    "amount" : "18000.00",
                    "booked_on" : "2023-02-01",
                    "line" : "1",
                    "matches" : [
                      "sku"
                    ],
                    "order_id" : "SO23-1404",
                    "sku" : "C8300-1N1S-6T"
                  }
                ],
                "credit_lines" : 1,
                "credit_volume" : "-1200.00",
                "engine_missed" : "412.00",
                "forecast" : {
                  "booked" : "63650.50",
                  "credits" : [
                    {
                      "amount" : "-1200.00",
                      "counted_on" : "2023-06-15",
                      "line" : "1",
                      "order_id" : "SO23-1410",
                      "sku" : "MR46-HW"
                    }
                  ],
                  "expected" : "63650.50",
                  "high" : "63650.50",
                  "low" : "63650.50",
                  "one_offs" : [

                  ],
                  "pace_days" : 182,
                  "pace_from" : "2023-01-29",
                  "pace_program" : "PROVIDER-MDF-FY23-H2",
                  "recurring" : "64850.50",
                  "recurring_lines" : 6,
                  "remaining_days" : 0,
                  "shared_with" : [

                  ]
                },
                "heuristic" : "an untagged line in the period is a candidate when the same partner tagged managed_services another line with the same SKU or in the same order",
                "in_period_volume" : "89650.50",
                "mdf_lost" : "412.00",
                "minimum" : "0.00",
                "missed" : {
                  "fixable" : "412.00",
                  "lost" : "0.00",
                  "lost_because" : [

                  ],
                  "to_fix" : [
                    "untagged"
                  ]
                },
                "projected_volume" : "63650.50",
                "qualifying_volume" : "63650.50",
                "tagged_credit_volume" : "-1200.00",
                "tagged_share" : "55.0%",
                "tagged_volume" : "49350.50",
                "tier" : "gold",
                "untagged_credit_volume" : "0.00",
                "untagged_lines" : 2,
                "untagged_volume" : "20600.00"
              },
              "subtracks" : [

              ]
            }
          ]
        }

        """

    static let vipTable = """
        Advice for NL1001 Amsterdam Data Systems B.V. (NL, gold) as of 2015-04-30

        PROVIDER-MDF-FY23-H2  Partner Provider MDF, FY23 second half
        period 2023-01-29..2023-07-29: day 0 of 182

        VIP25-3M  Value Incentive Program 25, 3-month period
        period 2015-04-26..2015-07-25: day 5 of 91

          data-center/ucs  Unified Computing System, rebate 6%
            enrolled on 2015-04-20
            volume so far 18,000.00 of minimum 28,750.00 USD, 10,750.00 to go
            at this pace: 55,625.00 USD by the period end, minimum reached on 2015-05-25
            forecast: low 50,250.00, high 61,000.00 USD; pace of 2 recurring line(s), 42,000.00 USD, over 96 day(s) from 2015-01-25 (VIP25-6M)
              the same orders count in VIP25-6M: one pace for all
            missing: only 0 of 10 CSAT reports submitted 2015-04-26..2015-07-25: 10 more needed
            CSAT: 0 of 10 so far; at this pace 4 by 2015-07-25, 6 more to collect beyond the pace
            rebate on the volume so far: 0.00 USD
            missed 1,080.00 USD can still be had this period: put right CSAT reports, volume (the minimum)
            rebate at the projected volume once the missing items are in place: 3,337.50 USD

          collaboration/voice  Voice and unified communications, rebate 16%
            not enrolled; enrolment is still possible
            volume so far 0.00 of minimum 12,500.00 USD, 12,500.00 to go
            at this pace: 0.00 USD by the period end, minimum not reached in the period
            forecast: low 0.00, high 18,812.50 USD; pace of 0 recurring line(s), 0.00 USD, over 96 day(s) from 2015-01-25 (VIP25-6M)
              one-off order, not projected: SO15-1002/1 CP-8865-K9 2015-03-02 21,000.00 USD
              the same orders count in VIP25-6M: one pace for all
            missing: only 0 of 10 CSAT reports submitted 2015-04-26..2015-07-25: 10 more needed
            CSAT: 0 of 10 so far; at this pace 4 by 2015-07-25, 6 more to collect beyond the pace
            enrolling would bring at the projected volume once the missing items are in place: 0.00 USD

        VIP25-6M  Value Incentive Program 25, 6-month period
        period 2015-01-25..2015-07-25: day 96 of 182

          data-center/ucs  Unified Computing System, rebate 6%
            enrolled on 2015-01-20
            volume so far 42,000.00 of minimum 57,500.00 USD, 15,500.00 to go
            at this pace: 79,625.00 USD by the period end, minimum reached on 2015-06-05
            forecast: low 74,250.00, high 85,000.00 USD; pace of 2 recurring line(s), 42,000.00 USD, over 96 day(s) from 2015-01-25 (VIP25-6M)
              the same orders count in VIP25-3M: one pace for all
            missing: only 5 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 5 more needed
            CSAT: 5 of 10 so far; at this pace 9 by 2015-07-25, 1 more to collect beyond the pace
            rebate on the volume so far: 0.00 USD
            missed 2,520.00 USD can still be had this period: put right CSAT reports, volume (the minimum)
            rebate at the projected volume once the missing items are in place: 4,777.50 USD

          collaboration/voice  Voice and unified communications, rebate 16%
            enrolled on 2015-01-20
            volume so far 21,000.00 of minimum 25,000.00 USD, 4,000.00 to go
            at this pace: 21,000.00 USD by the period end, minimum not reached in the period
            forecast: low 21,000.00, high 39,812.50 USD; pace of 0 recurring line(s), 0.00 USD, over 96 day(s) from 2015-01-25 (VIP25-6M)
              one-off order, not projected: SO15-1002/1 CP-8865-K9 2015-03-02 21,000.00 USD
              the same orders count in VIP25-3M: one pace for all
            missing: only 5 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 5 more needed
            CSAT: 5 of 10 so far; at this pace 9 by 2015-07-25, 1 more to collect beyond the pace
            rebate on the volume so far: 0.00 USD
            missed 3,360.00 USD is lost: volume (the minimum)
            rebate at the projected volume once the missing items are in place: 0.00 USD

          collaboration/video  TelePresence and video, rebate 12.5%
            not enrolled; enrolment is still possible
            volume so far 0.00 of minimum 15,000.00 USD, 15,000.00 to go
            at this pace: 0.00 USD by the period end, minimum not reached in the period
            forecast: low 0.00, high 0.00 USD; pace of 0 recurring line(s), 0.00 USD, over 96 day(s) from 2015-01-25 (VIP25-6M)
            missing: only 5 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 5 more needed
            missing: requires ATP-TELEPRESENCE at the period end 2015-07-25: ATP-TELEPRESENCE not held
            CSAT: 5 of 10 so far; at this pace 9 by 2015-07-25, 1 more to collect beyond the pace
            enrolling would bring at the projected volume once the missing items are in place: 0.00 USD

        Recommendation: expected rebate 8,115.00, investment 0.00, net 8,115.00
          keep VIP25-3M data-center/ucs: expected rebate 3,337.50; also still needed: only 0 of 10 CSAT reports submitted 2015-04-26..2015-07-25: 10 more needed
          keep VIP25-6M data-center/ucs: expected rebate 4,777.50; also still needed: only 5 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 5 more needed
          VIP25-3M data-center/ucs and VIP25-6M data-center/ucs count the same orders: each pays on them, so their rebates add up (one pace for all)
          VIP25-3M collaboration/voice: left out: at the current pace the volume (0.00) stays under the minimum 12,500.00
          VIP25-6M collaboration/voice: left out: at the current pace the volume (21,000.00) stays under the minimum 25,000.00
          VIP25-6M collaboration/video: left out: at the current pace the volume (0.00) stays under the minimum 15,000.00

        """

    static let mdfTable = """
        Advice for NL1005 Leiden Managed Networks B.V. (NL, gold) as of 2023-05-15

        PROVIDER-MDF-FY23-H2  Partner Provider MDF, FY23 second half
        period 2023-01-29..2023-07-29: day 107 of 182

          MDF, tier gold
            qualifying volume so far 56,050.50 of minimum 0.00 USD (met)
            at this pace: 95,338.23 USD by the period end
            forecast: low 64,592.86, high 126,663.71 USD; pace of 5 recurring line(s), 56,050.50 USD, over 107 day(s) from 2023-01-29 (PROVIDER-MDF-FY23-H2)
            tagged managed_services: 40,550.50 of 78,250.50 USD of orders in the period (51.8%)
            untagged while a tag was required: 1 line(s), 18,000.00 USD; MDF lost: 360.00 USD
            missed 360.00 USD can still be had this period: put right tags on untagged orders
            lines to re-tag (an untagged line in the period is a candidate when the same partner tagged managed_services another line with the same SKU or in the same order):
              order SO23-1404/1 C8300-1N1S-6T booked 2023-02-01 18,000.00 USD (same sku)

        """
}
