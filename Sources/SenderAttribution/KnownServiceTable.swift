/// The services table Rua ships, as CSV (`domain,service,type`). Kept in the source so that the `rua`
/// binary alone carries it; users add or override rows with `--services FILE` or `services.csv` beside
/// the database.
public enum KnownServiceTable {
    public static let csv = """
        domain,service,type
        # Mailbox providers and their outbound relays
        google.com,Google Workspace / Gmail,mailbox provider
        googlemail.com,Google Workspace / Gmail,mailbox provider
        gmail.com,Google Workspace / Gmail,mailbox provider
        1e100.net,Google,mailbox provider
        googlegroups.com,Google Groups,mailing list
        outlook.com,Microsoft 365 / Outlook.com,mailbox provider
        protection.outlook.com,Microsoft 365 (Exchange Online Protection),mailbox provider
        hotmail.com,Microsoft Outlook.com,mailbox provider
        office365.com,Microsoft 365,mailbox provider
        onmicrosoft.com,Microsoft 365,mailbox provider
        yahoo.com,Yahoo Mail,mailbox provider
        yahoodns.net,Yahoo Mail,mailbox provider
        aol.com,AOL Mail,mailbox provider
        icloud.com,Apple iCloud Mail,mailbox provider
        me.com,Apple iCloud Mail,mailbox provider
        apple.com,Apple,mailbox provider
        mail.ru,Mail.ru,mailbox provider
        yandex.net,Yandex Mail,mailbox provider
        yandex.ru,Yandex Mail,mailbox provider
        gmx.net,GMX,mailbox provider
        web.de,WEB.DE,mailbox provider
        fastmail.com,Fastmail,mailbox provider
        messagingengine.com,Fastmail,mailbox provider
        protonmail.ch,Proton Mail,mailbox provider
        proton.me,Proton Mail,mailbox provider
        zoho.com,Zoho Mail,mailbox provider
        zohomail.com,Zoho Mail,mailbox provider
        qq.com,Tencent QQ Mail,mailbox provider
        163.com,NetEase Mail,mailbox provider
        comcast.net,Comcast,mailbox provider
        t-online.de,T-Online,mailbox provider
        orange.fr,Orange,mailbox provider
        # E-mail service providers (bulk and transactional)
        amazonses.com,Amazon SES,email service provider
        sendgrid.net,SendGrid (Twilio),email service provider
        mcsv.net,Mailchimp,email service provider
        mcdlv.net,Mailchimp,email service provider
        mailchimpapp.net,Mailchimp,email service provider
        mandrillapp.com,Mailchimp Transactional (Mandrill),email service provider
        rsgsv.net,Mailchimp,email service provider
        mailgun.org,Mailgun,email service provider
        mailgun.net,Mailgun,email service provider
        sparkpostmail.com,SparkPost,email service provider
        mtasv.net,Postmark,email service provider
        postmarkapp.com,Postmark,email service provider
        sendinblue.com,Brevo (Sendinblue),email service provider
        brevo.com,Brevo,email service provider
        sib.com,Brevo,email service provider
        mailjet.com,Mailjet,email service provider
        createsend.com,Campaign Monitor,email service provider
        cmail19.com,Campaign Monitor,email service provider
        cmail20.com,Campaign Monitor,email service provider
        exacttarget.com,Salesforce Marketing Cloud,email service provider
        salesforce.com,Salesforce,email service provider
        hubspotemail.net,HubSpot,email service provider
        hubspot.com,HubSpot,email service provider
        klaviyomail.com,Klaviyo,email service provider
        constantcontact.com,Constant Contact,email service provider
        rsys5.net,Oracle Responsys,email service provider
        mktomail.com,Adobe Marketo,email service provider
        zendesk.com,Zendesk,email service provider
        freshdesk.com,Freshdesk,email service provider
        intercom-mail.com,Intercom,email service provider
        mailersend.net,MailerSend,email service provider
        smtp2go.com,SMTP2GO,email service provider
        elasticemail.com,Elastic Email,email service provider
        # Security gateways and hosting that send on customers' behalf
        pphosted.com,Proofpoint,security gateway
        ppe-hosted.com,Proofpoint Essentials,security gateway
        mimecast.com,Mimecast,security gateway
        barracudanetworks.com,Barracuda,security gateway
        messagelabs.com,Broadcom Email Security (MessageLabs),security gateway
        secureserver.net,GoDaddy,hosting
        ovh.net,OVHcloud,hosting
        hetzner.com,Hetzner,hosting
        your-server.de,Hetzner,hosting
        amazonaws.com,Amazon Web Services,hosting
        googleusercontent.com,Google Cloud,hosting
        cloudapp.net,Microsoft Azure,hosting
        linode.com,Akamai (Linode),hosting
        """
}
