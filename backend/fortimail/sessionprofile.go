package fortimail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Field groups of a session profile, as the connector groups its inputs.
const (
	GroupConnection         = "Connection settings"
	GroupSenderReputation   = "Sender reputation"
	GroupEndpointReputation = "Endpoint reputation"
	GroupSenderValidation   = "Sender validation"
	GroupSessionSettings    = "Session settings"
	GroupLists              = "Lists"
)

// SessionProfile is a session profile (ProfSession): SMTP-session limits,
// sender checks and the profile's own safe and block lists. Session
// profiles exist at system level only.
//
// The wire names are those the FortiMail REST API returns; where a setting
// has a choice of values, the integers are those of the FortiSOAR
// connector. The other keys a profile carries (error penalties, header
// rewriting, splicing…) are kept in Extra and sent back untouched.
type SessionProfile struct {
	Name    string `json:"mkey" label:"Profile name"`
	Comment string `json:"comment" label:"Comment"`

	ConnRate          int `json:"conn_rate_how_many" group:"Connection settings" label:"Connections per client per 30 minutes (0: no limit)"`
	MessagesPerClient int `json:"number_of_messages" group:"Connection settings" label:"Messages per client per 30 minutes (0: no limit)"`
	RecipientsPerConn int `json:"number_of_recipients" group:"Connection settings" label:"Recipients per client per 30 minutes (0: no limit)"`
	ConnConcurrent    int `json:"conn_concurrent" group:"Connection settings" label:"Concurrent connections per client (0: no limit)"`
	ConnIdleTimeout   int `json:"conn_idle_timeout" group:"Connection settings" label:"Connection idle timeout (seconds)"`

	SenderReputation                bool `json:"sender_reputation" group:"Sender reputation" label:"Enable sender reputation"`
	SenderReputationThrottle        int  `json:"sender_reputation_throttle" group:"Sender reputation" label:"Throttle client at (score)"`
	SenderReputationThrottleNumber  int  `json:"sender_reputation_throttle_number" group:"Sender reputation" label:"Restrict email per hour to"`
	SenderReputationThrottlePercent int  `json:"sender_reputation_throttle_percent" group:"Sender reputation" label:"Restrict email to percent of previous hour"`
	SenderReputationTempfail        int  `json:"sender_reputation_tempfail" group:"Sender reputation" label:"Temporarily fail client at (score)"`
	SenderReputationReject          int  `json:"sender_reputation_reject" group:"Sender reputation" label:"Reject client at (score)"`
	CheckClientIPQuick              bool `json:"check_client_ip_quick" group:"Sender reputation" label:"Check FortiGuard IP reputation at connection phase"`

	EndpointReputation         bool           `json:"msisdn_sender_reputation_status" group:"Endpoint reputation" label:"Enable endpoint reputation"`
	EndpointReputationAction   EndpointAction `json:"msisdn_sender_reputation_action" group:"Endpoint reputation" label:"Action" kind:"enum"`
	EndpointReputationTrigger  int            `json:"msisdn_sender_reputation_trigger" group:"Endpoint reputation" label:"Auto blocklist score trigger value"`
	EndpointReputationDuration int            `json:"msisdn_sender_reputation_blacklist_duration" group:"Endpoint reputation" label:"Auto blocklist duration (minutes)"`

	SPF                          SPFCheck `json:"spf" group:"Sender validation" label:"SPF check" kind:"enum"`
	DKIM                         bool     `json:"dkim" group:"Sender validation" label:"Enable DKIM check"`
	DKIMSigning                  bool     `json:"dkim_signing" group:"Sender validation" label:"Enable DKIM signing for outgoing messages"`
	DKIMSigningAuthenticatedOnly bool     `json:"dkim_signing_authenticated_only" group:"Sender validation" label:"Enable DKIM signing for authenticated senders only"`
	DomainKey                    bool     `json:"domainkey" group:"Sender validation" label:"Enable domain key check"`
	BypassBounceVerify           bool     `json:"bypass_bounce_verify" group:"Sender validation" label:"Bypass bounce verification check"`
	SenderVerification           bool     `json:"sender_verification" group:"Sender validation" label:"Sender address verification with LDAP"`

	Action           string           `json:"action" group:"Session settings" label:"Session action" kind:"session-action"`
	MessageSelection MessageSelection `json:"session_action_msg_type" group:"Session settings" label:"Message selection" kind:"enum"`
	CheckDomainChars bool             `json:"check_domain_chars" group:"Session settings" label:"Reject EHLO/HELO commands with invalid characters in the domain"`
	CommandChecking  bool             `json:"command_checking" group:"Session settings" label:"Perform strict syntax checking"`
	EOMAck           bool             `json:"eom_ack" group:"Session settings" label:"ACK EOM before antispam check"`

	SenderSafeList     bool `json:"whitelist_enable" group:"Lists" label:"Enable sender safelist checking"`
	SenderBlockList    bool `json:"blacklist_enable" group:"Lists" label:"Enable sender blocklist checking"`
	RecipientSafeList  bool `json:"to_whitelist_enable" group:"Lists" label:"Allow recipients on this list"`
	RecipientBlockList bool `json:"to_blacklist_enable" group:"Lists" label:"Disallow recipients on this list"`

	// Extra holds every key not modelled above, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the wire form, keeping unknown keys in Extra.
func (p *SessionProfile) UnmarshalJSON(b []byte) error { return decodeObject(b, p) }

// MarshalJSON encodes the wire form, Extra included.
func (p SessionProfile) MarshalJSON() ([]byte, error) { return encodeObject(p) }

// NewSessionProfile returns starting values for the console's "new
// profile" form. FortiMail's own defaults are not all documented; these are
// conservative ones (no limits, reputation scores as the GUI suggests, SPF
// and DKIM checks on), to be reviewed before creating.
func NewSessionProfile(name string) SessionProfile {
	return SessionProfile{
		Name:                            name,
		ConnIdleTimeout:                 30,
		SenderReputationThrottle:        15,
		SenderReputationThrottleNumber:  5,
		SenderReputationThrottlePercent: 1,
		SenderReputationTempfail:        25,
		SenderReputationReject:          30,
		EndpointReputationTrigger:       5,
		EndpointReputationDuration:      0,
		SPF:                             SPFEnable,
		DKIM:                            true,
	}
}

func sessionPath(name string) string { return "ProfSession/" + seg(name) }

// ListSessionProfiles lists session profiles. Items are summaries (name,
// comment, and the session action in Extra["action"]).
func (c *Client) ListSessionProfiles(ctx context.Context) ([]ProfileSummary, error) {
	return list[ProfileSummary](ctx, c, "list session profiles", "ProfSession/")
}

// GetSessionProfile fetches one session profile in full.
func (c *Client) GetSessionProfile(ctx context.Context, name string) (SessionProfile, error) {
	return get[SessionProfile](ctx, c, fmt.Sprintf("get session profile %q", name), sessionPath(name))
}

// CreateSessionProfile creates p (every modelled field and Extra is sent)
// and returns the profile as the appliance stored it.
func (c *Client) CreateSessionProfile(ctx context.Context, p SessionProfile) (SessionProfile, error) {
	name := fmt.Sprintf("create session profile %q", p.Name)
	if p.Name == "" {
		return SessionProfile{}, fmt.Errorf("fortimail: %s: no name", name)
	}
	return write[SessionProfile](ctx, c, name, http.MethodPost, sessionPath(p.Name), p)
}

// UpdateSessionProfile sends only the given changes (from Diff) and
// returns the profile as the appliance now has it.
func (c *Client) UpdateSessionProfile(ctx context.Context, name string, changes []Change) (SessionProfile, error) {
	opName := fmt.Sprintf("update session profile %q", name)
	body, err := changesBody(changes)
	if err != nil {
		return SessionProfile{}, fmt.Errorf("fortimail: %s: %w", opName, err)
	}
	return write[SessionProfile](ctx, c, opName, http.MethodPut, sessionPath(name), body)
}

// DeleteSessionProfile deletes a session profile.
func (c *Client) DeleteSessionProfile(ctx context.Context, name string) error {
	return remove(ctx, c, fmt.Sprintf("delete session profile %q", name), sessionPath(name))
}
