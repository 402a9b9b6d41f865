import Mustache
import Testing

@testable import IncentiveServer

/// The hand-written `child(named:)` of the lists' models answers what Mustache's `Mirror` lookup would.
@Suite struct ListLookupTests {
    @Test func everyPropertyIsFoundAsByReflection() {
        let link = Pager.SortLink(sortLabel: "Paid", sortHref: "/runs/1?sort=paid", sortCurrent: true)
        let field = Pager.Field(fieldName: "a", fieldValue: "1")
        let pager = Pager(
            pageOf: "Page 2 of 3", hasPrevious: true, hasNext: false, previousHref: "/x", nextHref: "", hasSort: true, sortLinks: [link],
            hasSearch: true, searchAction: "/x", searchValue: "nl", searchFields: [field])
        let row = PartnerRow(
            partnerID: "NL1001", partnerName: "A & B", partnerHref: "/partners/NL1001", status: "eligible", statusText: "eligible", paid: "1.00",
            missed: "0.00")
        let list = PartnerList(heading: "Partners in run 1", pager: pager, rows: [row], isEmpty: false)
        let change = DiffPage.Change(
            programID: "VIP", partnerID: "NL1", partnerName: "N", diffHref: "/runs?a=1&b=2&partner=NL1", beforeStatus: "", beforeStatusText: "—",
            beforePaid: "—", beforeMissed: "—", afterStatus: "eligible", afterStatusText: "eligible", afterPaid: "1.00", afterMissed: "0.00",
            paidChange: "+1.00", missedChange: "0.00")
        let run = RunsPage.Run(id: 2, started: "May 15, 2015 09:00 UTC", programs: "VIP v1", lines: 67, paid: "1.00", missed: "2.00", admin: true)
        let entry = ImportsPage.Entry(id: 9, at: "May 15, 2015 09:00 UTC", kind: "bookings", file: "extra.csv", rows: 1, added: 1, changed: 0, unchanged: 0)
        PageLookupTests.agrees(pager)
        PageLookupTests.agrees(link)
        PageLookupTests.agrees(field)
        PageLookupTests.agrees(list)
        PageLookupTests.agrees(row)
        PageLookupTests.agrees(change)
        PageLookupTests.agrees(run)
        PageLookupTests.agrees(entry)
    }
}
