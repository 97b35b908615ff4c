package fortimail

import (
	"context"
	"encoding/json"
	"fmt"
)

// RecipientPolicy is a recipient-based policy (PolicyRcpt): which senders
// and recipients it matches and which profiles it applies. Profile names
// carry their scope, e.g. "AS_Outbound@system".
type RecipientPolicy struct {
	ID        int       `json:"mkey" label:"ID"`
	Enabled   bool      `json:"status" label:"Enabled"`
	Direction Direction `json:"direction" label:"Direction" kind:"enum"`
	Domain    string    `json:"mdomain" label:"Domain"`
	Comment   string    `json:"comment" label:"Comment"`

	// SenderType and RecipientType: 0 wildcard pattern, 2 LDAP group,
	// 3 email address group, 4 regular expression.
	SenderType         int    `json:"sender_type" group:"Sender" label:"Sender type"`
	SenderPattern      string `json:"sender_pattern" group:"Sender" label:"Sender pattern"`
	SenderDomain       string `json:"sender_domain" group:"Sender" label:"Sender domain"`
	SenderAddressGroup string `json:"sender_email_address_group" group:"Sender" label:"Sender address group"`
	RecipientType      int    `json:"recipient_type" group:"Recipient" label:"Recipient type"`
	RecipientPattern   string `json:"recipient_pattern" group:"Recipient" label:"Recipient pattern"`
	RecipientDomain    string `json:"recipient_domain" group:"Recipient" label:"Recipient domain"`
	RecipientGroup     string `json:"recipient_email_address_group" group:"Recipient" label:"Recipient address group"`
	RecipientLDAP      string `json:"ldap_profile" group:"Recipient" label:"Recipient LDAP profile"`
	GroupMode          int    `json:"groupmode" group:"Recipient" label:"Group mode"`
	AntispamProfile    string `json:"antispam" group:"Profiles" label:"Antispam profile"`
	AntivirusProfile   string `json:"antivirus" group:"Profiles" label:"Antivirus profile"`
	ContentProfile     string `json:"content" group:"Profiles" label:"Content profile"`
	DLPProfile         string `json:"profile_dlp" group:"Profiles" label:"DLP profile"`
	ResourceProfile    string `json:"misc" group:"Profiles" label:"Resource profile"`
	AuthType           int    `json:"auth" group:"Authentication" label:"Authentication type (1 RADIUS, 2 LDAP, 3 POP3, 4 IMAP, 5 SMTP)"`
	RADIUSAuth         string `json:"radius_auth" group:"Authentication" label:"RADIUS profile"`
	LDAPAuth           string `json:"ldap_auth" group:"Authentication" label:"LDAP profile"`
	POP3Auth           string `json:"pop3_auth" group:"Authentication" label:"POP3 profile"`
	IMAPAuth           string `json:"imap_auth" group:"Authentication" label:"IMAP profile"`
	SMTPAuth           string `json:"smtp_auth" group:"Authentication" label:"SMTP profile"`
	PKIAuth            bool   `json:"pkiauth" group:"Authentication" label:"PKI authentication"`
	PKIUser            string `json:"pkiuser" group:"Authentication" label:"PKI user"`

	Extra map[string]json.RawMessage `json:"-"` // every key not modelled above, verbatim
}

// UnmarshalJSON decodes the wire form, keeping unknown keys in Extra.
func (p *RecipientPolicy) UnmarshalJSON(b []byte) error { return decodeObject(b, p) }

// MarshalJSON encodes the wire form, Extra included.
func (p RecipientPolicy) MarshalJSON() ([]byte, error) { return encodeObject(p) }

// policyScope is the URL domain of recipient policies: "system" is the
// pseudo-domain of system-wide ones.
func policyScope(domain string) string {
	if domain == "" {
		return System
	}
	return domain
}

// ListRecipientPolicies lists the recipient policies of a domain ("" or
// System: the system-wide ones).
func (c *Client) ListRecipientPolicies(ctx context.Context, domain string) ([]RecipientPolicy, error) {
	d := policyScope(domain)
	return list[RecipientPolicy](ctx, c, "list recipient policies of "+d, "domain/"+seg(d)+"/PolicyRcpt/")
}

// GetRecipientPolicy fetches one recipient policy by its ID.
func (c *Client) GetRecipientPolicy(ctx context.Context, domain string, id int) (RecipientPolicy, error) {
	d := policyScope(domain)
	name := fmt.Sprintf("get recipient policy %d of %s", id, d)
	return get[RecipientPolicy](ctx, c, name, fmt.Sprintf("domain/%s/PolicyRcpt/%d", seg(d), id))
}
