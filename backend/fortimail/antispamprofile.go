package fortimail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Field groups of an antispam profile, as the connector groups its inputs.
const (
	GroupDefaultAction     = "Default action"
	GroupGreylist          = "Greylist"
	GroupSPF               = "SPF"
	GroupDMARC             = "DMARC"
	GroupBehaviourAnalysis = "Behaviour analysis"
	GroupHeaderAnalysis    = "Header analysis"
	GroupImageSpam         = "Image spam"
)

// AntispamProfile is an antispam profile (ProfAntispam), system-wide or
// owned by a protected domain. Action fields hold the name of an antispam
// action profile (see ActionChoices); "" means the profile's default
// action. The many scanners the connector does not expose (FortiGuard,
// DNSBL, Bayesian, heuristics, dictionaries, BEC, ARC…) are kept in Extra
// and sent back untouched.
type AntispamProfile struct {
	Name    string `json:"mkey" label:"Profile name"`
	Comment string `json:"comment" label:"Comment"`

	DefaultAction string `json:"scanner_default" group:"Default action" label:"Default action" kind:"action"`

	Greylist bool `json:"greylist" group:"Greylist" label:"Greylist"`

	SPF                      bool                       `json:"spf_checking" group:"SPF" label:"SPF check"`
	SPFFail                  bool                       `json:"spf_fail_status" group:"SPF" label:"SPF fail"`
	SPFFailAction            string                     `json:"action_spf_fail" group:"SPF" label:"SPF fail action" kind:"action"`
	SPFSoftFail              bool                       `json:"spf_soft_fail_status" group:"SPF" label:"SPF soft fail"`
	SPFSoftFailAction        string                     `json:"action_spf_soft_fail" group:"SPF" label:"SPF soft fail action" kind:"action"`
	SPFSenderAlignment       bool                       `json:"spf_sender_alignment_status" group:"SPF" label:"SPF sender alignment"`
	SPFSenderAlignmentAction string                     `json:"action_spf_sender_alignment" group:"SPF" label:"SPF sender alignment action" kind:"action"`
	SPFPermError             bool                       `json:"spf_perm_error_status" group:"SPF" label:"SPF permanent error"`
	SPFPermErrorAction       string                     `json:"action_spf_perm_error" group:"SPF" label:"SPF permanent error action" kind:"action"`
	SPFTempError             bool                       `json:"spf_temp_error_status" group:"SPF" label:"SPF temporary error"`
	SPFTempErrorAction       string                     `json:"action_spf_temp_error" group:"SPF" label:"SPF temporary error action" kind:"action"`
	SPFPass                  bool                       `json:"spf_pass_status" group:"SPF" label:"SPF pass"`
	SPFPassAction            string                     `json:"action_spf_pass" group:"SPF" label:"SPF pass action" kind:"action"`
	SPFNeutral               bool                       `json:"spf_neutral_status" group:"SPF" label:"SPF neutral"`
	SPFNeutralAction         string                     `json:"action_spf_neutral" group:"SPF" label:"SPF neutral action" kind:"action"`
	SPFNone                  bool                       `json:"spf_none_status" group:"SPF" label:"SPF none (no record)"`
	SPFNoneAction            string                     `json:"action_spf_none" group:"SPF" label:"SPF none action" kind:"action"`
	DMARC                    bool                       `json:"dmarc_status" group:"DMARC" label:"DMARC check"`
	DMARCAction              string                     `json:"action_dmarc" group:"DMARC" label:"DMARC action" kind:"action"`
	BehaviourAnalysis        bool                       `json:"behavior_analysis" group:"Behaviour analysis" label:"Behaviour analysis"`
	BehaviourAnalysisAction  string                     `json:"action_behavior_analysis" group:"Behaviour analysis" label:"Behaviour analysis action" kind:"action"`
	HeaderAnalysis           bool                       `json:"deepheader_analysis" group:"Header analysis" label:"Header analysis"`
	HeaderCheckIP            bool                       `json:"deepheader_check_ip" group:"Header analysis" label:"Check IP addresses in headers"`
	HeaderAnalysisAction     string                     `json:"scanner_deep_header" group:"Header analysis" label:"Header analysis action" kind:"action"`
	ImageSpam                bool                       `json:"imagespam" group:"Image spam" label:"Image spam"`
	ImageSpamAction          string                     `json:"scanner_image_spam" group:"Image spam" label:"Image spam action" kind:"action"`
	ImageSpamAggressive      bool                       `json:"aggressive" group:"Image spam" label:"Aggressive scan (image attachments too)"`
	Extra                    map[string]json.RawMessage `json:"-"` // every key not modelled above, verbatim
}

// UnmarshalJSON decodes the wire form, keeping unknown keys in Extra.
func (p *AntispamProfile) UnmarshalJSON(b []byte) error { return decodeObject(b, p) }

// MarshalJSON encodes the wire form, Extra included.
func (p AntispamProfile) MarshalJSON() ([]byte, error) { return encodeObject(p) }

// NewAntispamProfile returns starting values for the console's "new
// profile" form: every scan off, every action the default one.
func NewAntispamProfile(name string) AntispamProfile {
	return AntispamProfile{Name: name, DefaultAction: ActionUserQuarantine}
}

// antispamPath is the profile's URL: system-wide when domain is "" or
// "system", else under the domain.
func antispamPath(domain, name string) string {
	p := "ProfAntispam/"
	if domain != "" && domain != System {
		p = "domain/" + seg(domain) + "/ProfAntispam/"
	}
	if name != "" {
		p += seg(name)
	}
	return p
}

func antispamOp(verb, domain, name string) string {
	if domain == "" || domain == System {
		return fmt.Sprintf("%s antispam profile %q", verb, name)
	}
	return fmt.Sprintf("%s antispam profile %q of %s", verb, name, domain)
}

// ListAntispamProfiles lists the antispam profiles of a domain ("" or
// System: the system-wide ones). Items are summaries; the dictionary keys
// the appliance lists are in Extra.
func (c *Client) ListAntispamProfiles(ctx context.Context, domain string) ([]ProfileSummary, error) {
	name := "list system antispam profiles"
	if domain != "" && domain != System {
		name = "list antispam profiles of " + domain
	}
	return list[ProfileSummary](ctx, c, name, antispamPath(domain, ""))
}

// GetAntispamProfile fetches one antispam profile in full.
func (c *Client) GetAntispamProfile(ctx context.Context, domain, name string) (AntispamProfile, error) {
	return get[AntispamProfile](ctx, c, antispamOp("get", domain, name), antispamPath(domain, name))
}

// CreateAntispamProfile creates p (every modelled field and Extra is sent)
// and returns the profile as the appliance stored it.
func (c *Client) CreateAntispamProfile(ctx context.Context, domain string, p AntispamProfile) (AntispamProfile, error) {
	opName := antispamOp("create", domain, p.Name)
	if p.Name == "" {
		return AntispamProfile{}, fmt.Errorf("fortimail: %s: no name", opName)
	}
	return write[AntispamProfile](ctx, c, opName, http.MethodPost, antispamPath(domain, p.Name), p)
}

// UpdateAntispamProfile sends only the given changes (from Diff) and
// returns the profile as the appliance now has it.
func (c *Client) UpdateAntispamProfile(ctx context.Context, domain, name string, changes []Change) (AntispamProfile, error) {
	opName := antispamOp("update", domain, name)
	body, err := changesBody(changes)
	if err != nil {
		return AntispamProfile{}, fmt.Errorf("fortimail: %s: %w", opName, err)
	}
	return write[AntispamProfile](ctx, c, opName, http.MethodPut, antispamPath(domain, name), body)
}

// DeleteAntispamProfile deletes an antispam profile. The appliance refuses
// to delete one that a policy uses.
func (c *Client) DeleteAntispamProfile(ctx context.Context, domain, name string) error {
	return remove(ctx, c, antispamOp("delete", domain, name), antispamPath(domain, name))
}
