package mimecast

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
)

// Address types the sender and receiver sides offer, with their labels.
var (
	senderTypes = []string{
		string(mimecast.IndividualEmailAddress), string(mimecast.EmailDomain), string(mimecast.ProfileGroup),
		string(mimecast.ExternalAddresses), string(mimecast.InternalAddresses), string(mimecast.Everyone),
		string(mimecast.FreeMailDomains), string(mimecast.HeaderDisplayName), string(mimecast.AddressAttributeValue),
	}
	receiverTypes = []string{
		string(mimecast.Everyone), string(mimecast.InternalAddresses), string(mimecast.ExternalAddresses),
		string(mimecast.EmailDomain), string(mimecast.ProfileGroup), string(mimecast.IndividualEmailAddress),
	}
	typeLabels = map[string]string{
		string(mimecast.Everyone): "everyone", string(mimecast.InternalAddresses): "internal addresses",
		string(mimecast.ExternalAddresses): "external addresses", string(mimecast.EmailDomain): "email domain",
		string(mimecast.ProfileGroup): "profile group", string(mimecast.IndividualEmailAddress): "email address",
		string(mimecast.AddressAttributeValue): "address attribute", string(mimecast.FreeMailDomains): "free-mail domains",
		string(mimecast.HeaderDisplayName): "header display name",
	}
)

func labels(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = typeLabels[v]
	}
	return out
}

// party is "email domain billing-notice.top", or just "everyone".
func party(p mimecast.PolicyParty) string {
	l := typeLabels[string(p.Type)]
	if l == "" {
		l = string(p.Type)
	}
	if v := p.Value(); v != "" {
		return l + " " + v
	}
	return l
}

func optionLabel(o mimecast.PolicyOption) string {
	switch o {
	case mimecast.OptionBlockSender:
		return "block"
	case mimecast.OptionNoAction:
		return "none"
	}
	return string(o)
}

func policyRows(ps []mimecast.Policy) [][]string {
	rows := make([][]string, len(ps))
	for i, p := range ps {
		rows[i] = []string{optionLabel(p.Option), p.Description, party(p.From), party(p.To), strings.Join(p.SourceIPs, ", "), dateRange(p)}
	}
	return rows
}

func dateRange(p mimecast.Policy) string {
	from, to := "always", "forever"
	if !p.FromEternal && !p.FromDate.IsZero() {
		from = p.FromDate.Format(time.DateOnly)
	}
	if !p.ToEternal && !p.ToDate.IsZero() {
		to = p.ToDate.Format(time.DateOnly)
	}
	if from == "always" && to == "forever" {
		return "always"
	}
	return from + " → " + to
}

func (m *Model) loadPolicies(user bool) tea.Cmd {
	return load(m, panePolicies, "list blocked-sender policies", user, func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]mimecast.Policy, error) {
		return cl.Policies(ctx, opts)
	})
}

func (m *Model) policyKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	i := m.selected(panePolicies, len(m.policies))
	switch {
	case key.Matches(msg, k.New):
		m.form = m.policyForm(nil)
	case key.Matches(msg, k.Edit) && i >= 0:
		p := m.policies[i]
		m.form = m.policyForm(&p)
	case key.Matches(msg, k.Delete) && i >= 0:
		p := m.policies[i]
		m.ask(fmt.Sprintf("Delete blocked-sender policy %q (%s → %s)?", p.Description, party(p.From), party(p.To)), func() tea.Cmd {
			return m.change(remediate.MimecastDeletePolicy, "policy "+p.ID+" "+p.Description, []tabID{tabPolicies},
				func(ctx context.Context, cl Gateway) (string, error) {
					return "deleted policy " + p.Description, cl.DeletePolicy(ctx, p.ID)
				})
		})
	case key.Matches(msg, k.Open) && i >= 0:
		m.panes[panePolicies].detail = policyDetail(m.policies[i])
	}
	return nil
}

// policyForm has every field of a blocked-sender policy; editing starts
// from p's values.
func (m *Model) policyForm(p *mimecast.Policy) *form {
	cur := mimecast.Policy{Option: mimecast.OptionBlockSender, From: mimecast.PolicyParty{Type: mimecast.IndividualEmailAddress},
		To: mimecast.PolicyParty{Type: mimecast.Everyone}, FromPart: mimecast.EnvelopeFrom}
	title := "New blocked-sender policy"
	if p != nil {
		cur, title = *p, "Edit policy "+p.Description
	}
	var fromDate, toDate string
	if !cur.FromEternal && !cur.FromDate.IsZero() {
		fromDate = cur.FromDate.Format(time.DateOnly)
	}
	if !cur.ToEternal && !cur.ToDate.IsZero() {
		toDate = cur.ToDate.Format(time.DateOnly)
	}
	fromPart := string(cur.FromPart)
	if fromPart == "" {
		fromPart = string(mimecast.EnvelopeFrom)
	}
	submit := func(f *form) (tea.Cmd, error) {
		if p != nil && !f.Changed() {
			// Nothing to send: an unchanged save must not rewrite the
			// policy (not even with the same values).
			return common.Info("policy unchanged: nothing was sent"), nil
		}
		spec, err := specOf(f)
		if err != nil {
			return nil, err
		}
		if err := spec.Validate(); err != nil {
			return nil, err
		}
		detail := fmt.Sprintf("%s %s → %s: %s", spec.Option, party(mimecast.PolicyParty{Type: spec.FromType, EmailAddress: spec.FromValue}),
			spec.ToType, spec.Description)
		if p == nil {
			return m.change(remediate.MimecastCreatePolicy, detail, []tabID{tabPolicies}, func(ctx context.Context, cl Gateway) (string, error) {
				got, err := cl.CreatePolicy(ctx, spec)
				return "created policy " + got.Description, err
			}), nil
		}
		id := p.ID
		return m.change(remediate.MimecastUpdatePolicy, "policy "+id+" "+detail, []tabID{tabPolicies}, func(ctx context.Context, cl Gateway) (string, error) {
			got, err := cl.UpdatePolicy(ctx, id, spec)
			return "updated policy " + got.Description, err
		}), nil
	}
	return m.newForm(title, submit,
		choiceField("option", "Action", []string{string(mimecast.OptionBlockSender), string(mimecast.OptionNoAction)},
			[]string{"block sender", "no action"}, string(cur.Option)),
		textField("description", "Description", cur.Description, "required; kept with archived mail"),
		choiceField("fromType", "Sender type", senderTypes, labels(senderTypes), string(cur.From.Type)),
		textField("fromValue", "Sender value", cur.From.Value(), "an address, a domain without @, or a group id, as the type asks"),
		choiceField("fromPart", "Addresses based on", []string{string(mimecast.EnvelopeFrom), string(mimecast.HeaderFrom), string(mimecast.BothFrom)},
			[]string{"envelope from", "header from", "both"}, fromPart),
		choiceField("toType", "Receiver type", receiverTypes, labels(receiverTypes), string(cur.To.Type)),
		textField("toValue", "Receiver value", cur.To.Value(), "an address, a domain without @, or a group id, as the type asks"),
		textField("sourceIPs", "Source IPs", strings.Join(cur.SourceIPs, ", "), "CIDR ranges, comma-separated, e.g. 192.0.2.0/24; empty: any"),
		textField("comment", "Comment", cur.Comment, ""),
		yesNo("bidirectional", "Bidirectional", cur.Bidirectional),
		yesNo("override", "Override", cur.Override),
		textField("fromDate", "Starts", fromDate, "YYYY-MM-DD; empty: now"),
		textField("toDate", "Ends", toDate, "YYYY-MM-DD; empty: never"),
	)
}

// specOf reads a policy form; values that need one are checked by
// PolicySpec.Validate afterwards.
func specOf(f *form) (mimecast.PolicySpec, error) {
	spec := mimecast.PolicySpec{
		Option:        mimecast.PolicyOption(f.Value("option")),
		Description:   f.Value("description"),
		FromType:      mimecast.AddressType(f.Value("fromType")),
		FromValue:     f.Value("fromValue"),
		FromPart:      mimecast.FromPart(f.Value("fromPart")),
		ToType:        mimecast.AddressType(f.Value("toType")),
		ToValue:       f.Value("toValue"),
		Comment:       f.Value("comment"),
		SourceIPs:     splitList(f.Value("sourceIPs")),
		Bidirectional: f.On("bidirectional"),
		Override:      f.On("override"),
	}
	if !needsValue(spec.FromType) {
		spec.FromValue = ""
	}
	if !needsValue(spec.ToType) {
		spec.ToValue = ""
	}
	var err error
	if spec.FromDate, err = parseDay("starts", f.Value("fromDate")); err != nil {
		return spec, err
	}
	if spec.ToDate, err = parseDay("ends", f.Value("toDate")); err != nil {
		return spec, err
	}
	return spec, nil
}

// needsValue reports types whose side names something (an address, a
// domain, a group); for the others a leftover value is dropped.
func needsValue(t mimecast.AddressType) bool {
	switch t {
	case mimecast.EmailDomain, mimecast.IndividualEmailAddress, mimecast.ProfileGroup,
		mimecast.HeaderDisplayName, mimecast.AddressAttributeValue:
		return true
	}
	return false
}

// splitList splits a comma- or space-separated list.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
}

func parseDay(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("%s: %q is not a date like 2026-01-31", field, s)
	}
	return t, nil
}

func policyDetail(p mimecast.Policy) *detail {
	d := &detail{title: "Policy " + p.Description}
	d.add("Action", optionLabel(p.Option))
	d.add("Description", p.Description)
	d.add("Sender", party(p.From))
	d.addIf("Addresses based on", string(p.FromPart))
	d.add("Receiver", party(p.To))
	d.add("Source IPs", joinNonEmpty(", ", p.SourceIPs...))
	d.addIf("Comment", p.Comment)
	d.add("Bidirectional", yes(p.Bidirectional))
	d.add("Override", yes(p.Override))
	d.add("In force", dateRange(p))
	d.add("Enabled", yes(p.Enabled))
	d.addIf("Created", stamp(p.CreateTime))
	d.addIf("Last updated", stamp(p.LastUpdated))
	d.add("Policy id", p.ID)
	return d
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// stamp formats an API time for a table or a detail page, in UTC as the
// gateway's own logs are.
func stamp(t mimecast.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}
