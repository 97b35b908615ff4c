package mimecast

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Blocked-sender policy paths. There is no documented update path: update
// is create-policy with the policy id, as working clients do.
const (
	pathCreatePolicy = "/api/policy/blockedsenders/create-policy"
	pathGetPolicy    = "/api/policy/blockedsenders/get-policy"
	pathDeletePolicy = "/api/policy/blockedsenders/delete-policy"
)

// PolicyOption is what a blocked-sender policy does.
type PolicyOption string

// Policy options.
const (
	OptionBlockSender PolicyOption = "block_sender"
	OptionNoAction    PolicyOption = "no_action"
)

// AddressType says whom a policy's sender or receiver side covers.
type AddressType string

// Address types. The seed offers the first six; the API knows the rest.
const (
	Everyone               AddressType = "everyone"
	InternalAddresses      AddressType = "internal_addresses"
	ExternalAddresses      AddressType = "external_addresses"
	EmailDomain            AddressType = "email_domain"
	ProfileGroup           AddressType = "profile_group"
	IndividualEmailAddress AddressType = "individual_email_address"
	AddressAttributeValue  AddressType = "address_attribute_value"
	FreeMailDomains        AddressType = "free_mail_domains"
	HeaderDisplayName      AddressType = "header_display_name"
)

// FromPart is which sender address a policy matches ("Addresses based on").
type FromPart string

// Sender address parts.
const (
	EnvelopeFrom FromPart = "envelope_from"
	HeaderFrom   FromPart = "header_from"
	BothFrom     FromPart = "both"
)

// PolicySpec is what the analyst asks for when creating or updating a
// blocked-sender policy.
type PolicySpec struct {
	Option      PolicyOption
	Description string // required; kept with archived mail
	FromType    AddressType
	// FromValue is the domain (no @), group id or address when FromType
	// needs one.
	FromValue string
	FromPart  FromPart // "" lets the server default (envelope_from)
	ToType    AddressType
	ToValue   string
	// SourceIPs restricts the policy to connections from these CIDR ranges.
	SourceIPs     []string
	Comment       string
	Bidirectional bool
	// FromDate and ToDate bound the policy; zero means eternal.
	FromDate, ToDate time.Time
	Override         bool
}

// PolicyParty is one side (sender or receiver) of a policy.
type PolicyParty struct {
	Type              AddressType `json:"type"`
	EmailAddress      string      `json:"emailAddress,omitempty"`
	EmailDomain       string      `json:"emailDomain,omitempty"`
	GroupID           string      `json:"groupId,omitempty"`
	HeaderDisplayName string      `json:"headerDisplayName,omitempty"`
}

// Value is the address, domain, group id or display name the side names.
func (p PolicyParty) Value() string {
	for _, v := range []string{p.EmailAddress, p.EmailDomain, p.GroupID, p.HeaderDisplayName} {
		if v != "" {
			return v
		}
	}
	return ""
}

// Policy is a blocked-sender policy as the server holds it.
type Policy struct {
	ID                      string
	Option                  PolicyOption
	Description             string
	FromPart                FromPart
	From, To                PolicyParty
	SourceIPs               []string
	Comment                 string
	Bidirectional, Override bool
	FromEternal, ToEternal  bool
	FromDate, ToDate        Time
	Enabled, Enforced       bool
	CreateTime, LastUpdated Time
}

// wirePolicy is the policy object on the wire. Requests carry both the
// nested from/to objects (current vendor form) and the flat
// fromType/fromValue fields (older form, still sent by working clients),
// because which one a tenant honours is not documented.
type wirePolicy struct {
	Description   string         `json:"description"`
	FromPart      FromPart       `json:"fromPart,omitempty"`
	From          PolicyParty    `json:"from"`
	To            PolicyParty    `json:"to"`
	FromType      AddressType    `json:"fromType,omitempty"`
	FromValue     string         `json:"fromValue,omitempty"`
	ToType        AddressType    `json:"toType,omitempty"`
	ToValue       string         `json:"toValue,omitempty"`
	Conditions    wireConditions `json:"conditions"`
	Comment       string         `json:"comment,omitempty"`
	Bidirectional bool           `json:"bidirectional"`
	Override      bool           `json:"override"`
	FromEternal   bool           `json:"fromEternal"`
	ToEternal     bool           `json:"toEternal"`
	FromDate      string         `json:"fromDate,omitempty"`
	ToDate        string         `json:"toDate,omitempty"`
}

type wireConditions struct {
	SourceIPs []string `json:"sourceIPs,omitempty"`
}

type wirePolicyOut struct {
	ID     string       `json:"id,omitempty"`
	Option PolicyOption `json:"option"`
	Policy struct {
		wirePolicy
		FromDate    Time `json:"fromDate"`
		ToDate      Time `json:"toDate"`
		Enabled     bool `json:"enabled"`
		Enforced    bool `json:"enforced"`
		CreateTime  Time `json:"createTime"`
		LastUpdated Time `json:"lastUpdated"`
	} `json:"policy"`
}

// UnmarshalJSON reads the wire form, preferring the nested sides and
// falling back to the flat fields.
func (p *Policy) UnmarshalJSON(b []byte) error {
	var w wirePolicyOut
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	wp := w.Policy
	*p = Policy{
		ID: w.ID, Option: w.Option, Description: wp.Description, FromPart: wp.FromPart,
		From: side(wp.From, wp.FromType, wp.FromValue), To: side(wp.To, wp.ToType, wp.ToValue),
		SourceIPs: wp.Conditions.SourceIPs, Comment: wp.Comment,
		Bidirectional: wp.Bidirectional, Override: wp.Override,
		FromEternal: wp.FromEternal, ToEternal: wp.ToEternal, FromDate: wp.FromDate, ToDate: wp.ToDate,
		Enabled: wp.Enabled, Enforced: wp.Enforced, CreateTime: wp.CreateTime, LastUpdated: wp.LastUpdated,
	}
	return nil
}

func side(nested PolicyParty, flatType AddressType, flatValue string) PolicyParty {
	if nested.Type != "" {
		return nested
	}
	return party(flatType, flatValue)
}

// party puts value in the field its type calls for.
func party(t AddressType, value string) PolicyParty {
	p := PolicyParty{Type: t}
	switch t {
	case EmailDomain:
		p.EmailDomain = value
	case ProfileGroup:
		p.GroupID = value
	case IndividualEmailAddress:
		p.EmailAddress = value
	case HeaderDisplayName:
		p.HeaderDisplayName = value
	}
	return p
}

// Validate checks a spec before it is sent: the server's answers to a bad
// one are terse, and a wrong CIDR would silently narrow a block.
func (s *PolicySpec) Validate() error {
	if s.Option != OptionBlockSender && s.Option != OptionNoAction {
		return invalid("action", "%q is not %s or %s", s.Option, OptionBlockSender, OptionNoAction)
	}
	if strings.TrimSpace(s.Description) == "" {
		return invalid("description", "required")
	}
	if err := checkSide("sender", s.FromType, s.FromValue); err != nil {
		return err
	}
	if s.ToType != "" {
		if err := checkSide("receiver", s.ToType, s.ToValue); err != nil {
			return err
		}
	}
	switch s.FromPart {
	case "", EnvelopeFrom, HeaderFrom, BothFrom:
	default:
		return invalid("addresses based on", "%q is not envelope_from, header_from or both", s.FromPart)
	}
	if !s.FromDate.IsZero() && !s.ToDate.IsZero() && s.ToDate.Before(s.FromDate) {
		return invalid("dates", "end %s is before start %s", s.ToDate.Format(time.DateOnly), s.FromDate.Format(time.DateOnly))
	}
	return checkCIDRs(s.SourceIPs)
}

func checkSide(name string, t AddressType, value string) error {
	switch t {
	case Everyone, InternalAddresses, ExternalAddresses, FreeMailDomains:
		return nil
	case EmailDomain:
		if value == "" || strings.Contains(value, "@") {
			return invalid(name+" value", "want a domain without @, got %q", value)
		}
	case IndividualEmailAddress:
		if !looksLikeAddress(value) {
			return invalid(name+" value", "want an email address, got %q", value)
		}
	case ProfileGroup, AddressAttributeValue, HeaderDisplayName:
		if value == "" {
			return invalid(name+" value", "required for type %s", t)
		}
	case "":
		return invalid(name+" type", "required")
	default:
		return invalid(name+" type", "unknown type %q", t)
	}
	return nil
}

// checkCIDRs insists on X.X.X.X/NN: a bare address is refused rather than
// guessed to be /32, because the analyst may have meant a network.
func checkCIDRs(cidrs []string) error {
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err != nil {
			return invalid("source IP", "%q is not CIDR notation like 192.0.2.0/24", c)
		}
		if p.Masked() != p {
			return invalid("source IP", "%q has host bits set; did you mean %s?", c, p.Masked())
		}
	}
	return nil
}

func looksLikeAddress(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " <>,;")
}

func (s *PolicySpec) wire() wirePolicy {
	from, to := party(s.FromType, s.FromValue), party(s.toType(), s.ToValue)
	ips := make([]string, len(s.SourceIPs))
	for i, ip := range s.SourceIPs {
		ips[i] = strings.TrimSpace(ip)
	}
	return wirePolicy{
		Description: s.Description, FromPart: s.FromPart, From: from, To: to,
		FromType: from.Type, FromValue: from.Value(), ToType: to.Type, ToValue: to.Value(),
		Conditions: wireConditions{SourceIPs: ips}, Comment: s.Comment,
		Bidirectional: s.Bidirectional, Override: s.Override,
		FromEternal: s.FromDate.IsZero(), ToEternal: s.ToDate.IsZero(),
		FromDate: apiTime(s.FromDate), ToDate: apiTime(s.ToDate),
	}
}

func (s *PolicySpec) toType() AddressType {
	if s.ToType == "" {
		return Everyone
	}
	return s.ToType
}

type policyItem struct {
	ID     string       `json:"id,omitempty"`
	Option PolicyOption `json:"option"`
	Policy wirePolicy   `json:"policy"`
}

// matches reports whether p is what s asked for, to recognise a policy
// that a failed-looking create did in fact make.
func (s *PolicySpec) matches(p Policy) bool {
	want := s.wire()
	ips := slices.Clone(p.SourceIPs)
	slices.Sort(ips)
	wantIPs := slices.Clone(want.Conditions.SourceIPs)
	slices.Sort(wantIPs)
	return p.Option == s.Option && p.Description == s.Description &&
		p.From.Type == want.From.Type && strings.EqualFold(p.From.Value(), want.From.Value()) &&
		p.To.Type == want.To.Type && strings.EqualFold(p.To.Value(), want.To.Value()) &&
		(s.FromPart == "" || p.FromPart == s.FromPart) && slices.Equal(ips, wantIPs)
}

// CreatePolicy creates a blocked-sender policy. If the answer is lost, the
// policies are listed and an identical one is taken as the result, so a
// retry never leaves two.
func (c *Client) CreatePolicy(ctx context.Context, spec PolicySpec) (Policy, error) {
	if err := spec.Validate(); err != nil {
		return Policy{}, err
	}
	item := policyItem{Option: spec.Option, Policy: spec.wire()}
	send := func(ctx context.Context) (Policy, error) {
		return one[Policy](ctx, c, pathCreatePolicy, item, writeCall)
	}
	verify := func(ctx context.Context) (Policy, bool, error) {
		all, err := c.Policies(ctx, ListOptions{})
		if err != nil {
			return Policy{}, false, err
		}
		i := slices.IndexFunc(all, spec.matches)
		if i < 0 {
			return Policy{}, false, nil
		}
		return all[i], true, nil
	}
	return applyOnce(ctx, c, send, verify)
}

// UpdatePolicy replaces policy id's settings with spec. If the answer is
// lost, the policy is read back and the update is sent again only if it
// did not take.
func (c *Client) UpdatePolicy(ctx context.Context, id string, spec PolicySpec) (Policy, error) {
	if id == "" {
		return Policy{}, invalid("policy id", "required")
	}
	if err := spec.Validate(); err != nil {
		return Policy{}, err
	}
	item := policyItem{ID: id, Option: spec.Option, Policy: spec.wire()}
	send := func(ctx context.Context) (Policy, error) {
		return one[Policy](ctx, c, pathCreatePolicy, item, writeCall)
	}
	verify := func(ctx context.Context) (Policy, bool, error) {
		p, err := c.Policy(ctx, id)
		if err != nil {
			return Policy{}, false, err
		}
		return p, spec.matches(p), nil
	}
	return applyOnce(ctx, c, send, verify)
}

// Policy returns one blocked-sender policy.
func (c *Client) Policy(ctx context.Context, id string) (Policy, error) {
	if id == "" {
		return Policy{}, invalid("policy id", "required")
	}
	return one[Policy](ctx, c, pathGetPolicy, idItem{ID: id}, readCall)
}

// Policies lists every blocked-sender policy.
func (c *Client) Policies(ctx context.Context, opts ListOptions) ([]Policy, error) {
	return list(ctx, c, pathGetPolicy, nil, opts, direct[Policy])
}

// DeletePolicy deletes a blocked-sender policy. Deleting is idempotent in
// effect, so after a lost answer it is sent again, and "not found" on that
// second try counts as done.
func (c *Client) DeletePolicy(ctx context.Context, id string) error {
	if id == "" {
		return invalid("policy id", "required")
	}
	return c.deleteByID(ctx, pathDeletePolicy, id)
}

type idItem struct {
	ID string `json:"id"`
}

// deleteByID sends a delete, repeats it after an unknown outcome, and
// treats not-found after a repeat as success.
func (c *Client) deleteByID(ctx context.Context, path, id string) error {
	err := c.callIgnoringData(ctx, path, idItem{ID: id})
	for attempt := 1; err != nil && transient(err) && !notSent(err) && attempt <= c.opts.MaxRetries; attempt++ {
		if serr := c.opts.Sleep(ctx, c.backoff(attempt)); serr != nil {
			return &uncertainError{err}
		}
		err = c.callIgnoringData(ctx, path, idItem{ID: id})
		if errorsIsNotFound(err) {
			return nil
		}
	}
	if err != nil && transient(err) {
		return &uncertainError{err}
	}
	return err
}

func (c *Client) callIgnoringData(ctx context.Context, path string, item any) error {
	_, err := c.call(ctx, path, []any{item}, nil, writeCall)
	return err
}
