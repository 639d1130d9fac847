import DMARCParser
import ReportModel
import Testing

@Suite struct ReportFileNameTests {
    @Test func theConventionsPartsAreReadWhateverTheExtensionsCase() {
        let name = ReportFileName("Google.com!Example.COM!1764547200!1764633599!m-17.XML.GZ")
        #expect(name?.receiver == "Google.com")
        #expect(name?.policyDomain == "example.com")
        #expect(name?.begin == 1_764_547_200)
        #expect(name?.end == 1_764_633_599)
        #expect(name?.uniqueID == "m-17")
        #expect(ReportFileName("yahoo.com!example.org!1764547200!1764633599.xml")?.uniqueID == nil)
        #expect(ReportFileName("reporter!é.example!1!2.json")?.policyDomain == "é.example")
    }

    @Test func namesOutsideTheConventionAreNotRead() {
        for name in [
            "report.xml", "a!b!1.xml.gz", "a!!1!2.xml", "a!b!one!2.xml", "a!b!1!2!3!4.xml", "a!b!1!2.txt", "",
        ] {
            #expect(ReportFileName(name) == nil, "\(name)")
        }
    }

    @Test func theLeafNameIsTheLastPathComponentOfTheInnermostMember() {
        #expect(InputLocation(path: "/var/mail/a!b!1!2.xml").leafName == "a!b!1!2.xml")
        #expect(InputLocation(path: "in.eml", members: ["part 2", "dir/x!y!1!2.xml.gz"]).leafName == "x!y!1!2.xml.gz")
        #expect(InputLocation(path: "trailing/slash/").leafName == "slash")
        #expect(InputLocation(path: "plain").leafName == "plain")
    }
}
