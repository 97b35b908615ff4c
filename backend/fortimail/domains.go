package fortimail

import (
	"context"
	"encoding/json"
	"fmt"
)

// System names the system level where a domain is expected: system-wide
// antispam profiles, recipient policies and sender lists.
const System = "system"

// Domain is a protected domain (DomainSetting). The list returns a few of
// these fields per domain; GetDomain returns them all (the rest in Extra).
type Domain struct {
	Name                  string `json:"mkey" label:"Domain"`
	MainDomain            string `json:"maindomain" label:"Main domain"`
	IsSubdomain           bool   `json:"is_subdomain" label:"Subdomain"`
	IsAssociation         bool   `json:"is_association" label:"Associated domain"`
	IsServiceDomain       bool   `json:"is_service_domain" label:"Service domain"`
	Host                  string `json:"ip" label:"SMTP server"`
	Port                  int    `json:"port" label:"SMTP port"`
	UseSSL                bool   `json:"usessl" label:"Use SMTPS"`
	MXFlag                int    `json:"mxflag" label:"Relay type (MX flag)"`
	RecipientVerification int    `json:"recipient_verification" label:"Recipient address verification"`
	FallbackHost          string `json:"fallbackhost" label:"Fallback SMTP server"`
	FallbackPort          int    `json:"fallbackport" label:"Fallback SMTP port"`
	MaxMessageSize        int    `json:"max_message_size" label:"Maximum message size (KB)"`

	Extra map[string]json.RawMessage `json:"-"` // every key not modelled above, verbatim
}

// UnmarshalJSON decodes the wire form, keeping unknown keys in Extra.
func (d *Domain) UnmarshalJSON(b []byte) error { return decodeObject(b, d) }

// MarshalJSON encodes the wire form, Extra included.
func (d Domain) MarshalJSON() ([]byte, error) { return encodeObject(d) }

// ListDomains lists the protected domains.
func (c *Client) ListDomains(ctx context.Context) ([]Domain, error) {
	return list[Domain](ctx, c, "list domains", "domain/")
}

// GetDomain fetches one protected domain's settings.
func (c *Client) GetDomain(ctx context.Context, name string) (Domain, error) {
	return get[Domain](ctx, c, fmt.Sprintf("get domain %q", name), "domain/"+seg(name))
}
