import ReportModel
import SenderAttribution
import Testing

@Suite struct AttributionTests {
    let attributor = Attributor()

    @Test func aConfirmedPTRNamesTheServiceAndSaysHowItKnows() {
        let result = attributor.attribute(
            reverse: .name("mail-sor-f41.google.com", confirmed: true), dkimDomains: ["google.com"], spfDomains: [])
        #expect(result.service?.name == "Google Workspace / Gmail")
        #expect(result.ptrOrganization == "google.com")
        #expect(result.evidence == ["PTR mail-sor-f41.google.com, forward-confirmed", "DKIM d=google.com"])
    }

    @Test func aDKIMDomainNamesTheServiceWithoutPTR() {
        let result = attributor.attribute(reverse: .noPTR, dkimDomains: ["sendgrid.net"], spfDomains: [])
        #expect(result.service?.name == "SendGrid (Twilio)")
        #expect(result.evidence == ["no PTR", "DKIM d=sendgrid.net"])
    }

    @Test func anSPFDomainUnderAKnownOneNamesTheService() {
        let result = attributor.attribute(
            reverse: nil, dkimDomains: [], spfDomains: ["eu-west-1.amazonses.com"])
        #expect(result.service?.name == "Amazon SES")
        #expect(result.evidence == ["SPF eu-west-1.amazonses.com"])
    }

    @Test func aLongerDomainInTheTableWinsOverItsParent() {
        let result = attributor.attribute(
            reverse: .name("mail-am6eur05on2100.outbound.protection.outlook.com", confirmed: true), dkimDomains: [],
            spfDomains: [])
        #expect(result.service?.name == "Microsoft 365 (Exchange Online Protection)")
        #expect(result.ptrOrganization == "outlook.com")
    }

    @Test func anUnconfirmedPTRCountsLessThanASignature() {
        let result = attributor.attribute(
            reverse: .name("mail.google.com", confirmed: false), dkimDomains: ["mcsv.net"], spfDomains: [])
        #expect(result.service?.name == "Mailchimp")
        #expect(result.evidence.first == "PTR mail.google.com, not forward-confirmed")
    }

    @Test func nothingKnownLeavesTheServiceOpen() {
        let result = attributor.attribute(reverse: .failure("timed out"), dkimDomains: ["example.org"], spfDomains: [])
        #expect(result.service == nil)
        #expect(result.evidence == ["reverse DNS failed (timed out)", "DKIM d=example.org"])
    }

    @Test func aUsersTableOverridesAndExtendsTheShippedOne() throws {
        let user = try KnownServices(
            csv: """
                domain,service,type
                # our own relay, and a different name for SendGrid
                relay.example.net,Our outbound relay,own
                sendgrid.net,SendGrid (marketing account),email service provider
                """)
        let services = KnownServices.builtIn.overlaid(with: user)
        #expect(services.count == KnownServices.builtIn.count + 1)
        let attributor = Attributor(services: services)
        #expect(
            attributor.attribute(
                reverse: .name("mx1.relay.example.net", confirmed: true), dkimDomains: [], spfDomains: []
            )
            .service == KnownService(name: "Our outbound relay", type: "own"))
        #expect(
            attributor.attribute(reverse: nil, dkimDomains: ["sendgrid.net"], spfDomains: []).service?.name
                == "SendGrid (marketing account)")
        #expect(
            attributor.attribute(reverse: nil, dkimDomains: ["amazonses.com"], spfDomains: []).service?.name
                == "Amazon SES")
    }

    @Test func aBrokenServicesLineIsReportedWithItsNumber() {
        #expect(throws: KnownServices.InvalidLine.self) {
            _ = try KnownServices(csv: "domain,service,type\nexample.com\n")
        }
        do {
            _ = try KnownServices(csv: "domain,service,type\nexample.com\n")
        } catch {
            #expect(error.line == 2)
        }
    }

    @Test func theShippedTableCoversTheCommonSenders() {
        for (domain, name) in [
            ("google.com", "Google Workspace / Gmail"), ("outlook.com", "Microsoft 365 / Outlook.com"),
            ("amazonses.com", "Amazon SES"), ("sendgrid.net", "SendGrid (Twilio)"), ("mcsv.net", "Mailchimp"),
            ("mcdlv.net", "Mailchimp"), ("mailgun.org", "Mailgun"), ("yahoo.com", "Yahoo Mail"),
        ] {
            #expect(KnownServices.builtIn.service(for: domain)?.service.name == name, "\(domain)")
        }
    }
}
