import DomainAlignment
import ReportModel
import Testing

@Suite struct OrganizationalDomainTests {
    let domains = OrganizationalDomains.shared

    @Test func multiLabelPublicSuffixesKeepOneLabelMore() {
        #expect(domains.organizationalDomain(of: "mail.example.co.uk") == "example.co.uk")
        #expect(domains.organizationalDomain(of: "a.b.shop.com.au") == "shop.com.au")
        #expect(domains.organizationalDomain(of: "bounces.news.example.com") == "example.com")
    }

    @Test func aPublicSuffixHasNoOrganizationalDomain() {
        #expect(domains.organizationalDomain(of: "com") == nil)
        #expect(domains.organizationalDomain(of: "co.uk") == nil)
        #expect(domains.isPublicSuffix("co.uk"))
        #expect(!domains.isPublicSuffix("example.co.uk"))
    }

    @Test func privateSuffixesMakeEachCustomerItsOwnOrganization() {
        // github.io is in the list's private section: two sites there are two organizations.
        #expect(domains.organizationalDomain(of: "alice.github.io") == "alice.github.io")
        #expect(domains.organizationalDomain(of: "www.alice.github.io") == "alice.github.io")
        #expect(domains.isPublicSuffix("github.io"))
    }

    @Test func namesAreNormalizedBeforeComparison() {
        #expect(OrganizationalDomains.normalize("  Mail.EXAMPLE.com. ") == "mail.example.com")
        #expect(OrganizationalDomains.normalize("") == nil)
        #expect(OrganizationalDomains.normalize(" . ") == nil)
        #expect(OrganizationalDomains.normalize(nil) == nil)
    }

    @Test func unicodeLabelsBecomeALabels() {
        #expect(OrganizationalDomains.normalize("Bücher.example") == "xn--bcher-kva.example")
        #expect(OrganizationalDomains.normalize("mail.例え.jp") == "mail.xn--r8jz45g.jp")
        #expect(domains.organizationalDomain(of: OrganizationalDomains.normalize("mail.例え.jp")) == "xn--r8jz45g.jp")
        // An IDN public suffix (.中国 is xn--fiqs8s) works in its A-label form.
        #expect(
            domains.organizationalDomain(of: OrganizationalDomains.normalize("www.例子.中国")) == "xn--fsqu00a.xn--fiqs8s")
    }

    @Test func alignmentComparesOrganizationalDomainsWhenRelaxedAndNamesWhenStrict() {
        let check = AlignmentCheck()
        #expect(check.aligned("news.example.com", "example.com", mode: .relaxed))
        #expect(!check.aligned("news.example.com", "example.com", mode: .strict))
        #expect(check.aligned("EXAMPLE.com.", "example.com", mode: .strict))
        #expect(!check.aligned("example.co.uk", "other.co.uk", mode: .relaxed))
        #expect(!check.aligned("com", "com", mode: .relaxed))
        #expect(!check.aligned("com", "com", mode: .strict))
        #expect(check.aligned("Bücher.example", "xn--bcher-kva.example", mode: .strict))
    }
}
