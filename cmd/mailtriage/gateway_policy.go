package main

import (
	"context"
	"fmt"

	"github.com/mailtriage/mailtriage/backend/block"
	"github.com/mailtriage/mailtriage/backend/mimecast"
)

// policyJSON is a blocked-sender policy in the seed's output shape.
type policyJSON struct {
	Option mimecast.PolicyOption `json:"option"`
	Policy policyBody            `json:"policy"`
	ID     string                `json:"id"`
}

type policyBody struct {
	Description   string               `json:"description"`
	FromType      mimecast.AddressType `json:"fromType"`
	FromValue     string               `json:"fromValue,omitempty"`
	From          mimecast.PolicyParty `json:"from"`
	FromPart      mimecast.FromPart    `json:"fromPart"`
	ToType        mimecast.AddressType `json:"toType"`
	ToValue       string               `json:"toValue,omitempty"`
	To            mimecast.PolicyParty `json:"to"`
	Conditions    policyConditions     `json:"conditions"`
	FromEternal   bool                 `json:"fromEternal"`
	ToEternal     bool                 `json:"toEternal"`
	FromDate      mimecast.Time        `json:"fromDate"`
	ToDate        mimecast.Time        `json:"toDate"`
	Override      bool                 `json:"override"`
	Bidirectional bool                 `json:"bidirectional"`
	Comment       string               `json:"comment,omitempty"`
}

type policyConditions struct {
	SourceIPs []string `json:"sourceIPs,omitempty"`
}

func policyOut(p mimecast.Policy) policyJSON {
	return policyJSON{Option: p.Option, ID: p.ID, Policy: policyBody{
		Description: p.Description, FromType: p.From.Type, FromValue: p.From.Value(), From: p.From, FromPart: p.FromPart,
		ToType: p.To.Type, ToValue: p.To.Value(), To: p.To, Conditions: policyConditions{SourceIPs: p.SourceIPs},
		FromEternal: p.FromEternal, ToEternal: p.ToEternal, FromDate: p.FromDate, ToDate: p.ToDate,
		Override: p.Override, Bidirectional: p.Bidirectional, Comment: p.Comment,
	}}
}

// addressTypes are the sender and receiver types the seed offers.
var addressTypes = []string{"everyone", "internal_addresses", "external_addresses", "email_domain", "profile_group", "individual_email_address"}

// policyWrite is create- and update-blocked-sender-policy.
func policyWrite(c *command, update bool) gatewayRun {
	var id *string
	if update {
		id = c.String("id", "", "policy `ID`")
	}
	option := c.String("option", "block_sender", "block_sender or no_action (the seed's Action)")
	desc := c.String("description", "", "what the policy is for (kept with archived mail)")
	fromType := c.String("sender-type", "", "internal_addresses, external_addresses, email_domain, profile_group or individual_email_address")
	fromValue := c.String("sender-value", "", "the domain (no @), group id or address the sender type needs")
	fromPart := c.String("addresses-based-on", "", "envelope_from, header_from or both (default: the server's, envelope_from)")
	toType := c.String("receiver-type", "everyone", "everyone or one of the sender types")
	toValue := c.String("receiver-value", "", "the domain, group id or address the receiver type needs")
	var ips listFlag
	c.Var(&ips, "source-ip", "only connections from this `CIDR` (repeatable, or comma-separated)")
	return func(ctx context.Context, g *gatewayCall) (any, error) {
		spec, err := policySpec(*option, *desc, *fromType, *fromValue, *fromPart, *toType, *toValue, ips)
		if err != nil {
			return nil, err
		}
		verb, detail := "create", ""
		if update {
			verb = "update " + *id + ":"
		}
		detail = fmt.Sprintf("%s policy %s %s %s → %s %s (%s)", verb, spec.Option, spec.FromType, spec.FromValue, spec.ToType, spec.ToValue, spec.Description)
		if detail, err = policyGuard(g, spec, detail); err != nil {
			return nil, err
		}
		req := map[string]any{"option": spec.Option, "description": spec.Description, "fromType": spec.FromType, "fromValue": spec.FromValue,
			"fromPart": spec.FromPart, "toType": spec.ToType, "toValue": spec.ToValue, "sourceIPs": spec.SourceIPs}
		if update {
			req["id"] = *id
		}
		return g.change(ctx, detail, req, func(ctx context.Context) (any, error) {
			var p mimecast.Policy
			var err error
			if update {
				p, err = g.mimecast.UpdatePolicy(ctx, *id, spec)
			} else {
				p, err = g.mimecast.CreatePolicy(ctx, spec)
			}
			return envelope(policyOut(p)), err
		})
	}
}

// policySpec checks the policy flags, taking the seed's spellings ("Email
// Domain", "Blocked Sender") as well as the API's.
func policySpec(option, desc, fromType, fromValue, fromPart, toType, toValue string, ips []string) (mimecast.PolicySpec, error) {
	opt, err := choice("option", option, "block_sender", "blocked_sender", "no_action")
	if err != nil {
		return mimecast.PolicySpec{}, err
	}
	if opt == "blocked_sender" {
		opt = string(mimecast.OptionBlockSender)
	}
	from, err := choice("sender-type", fromType, addressTypes[1:]...)
	if err != nil {
		return mimecast.PolicySpec{}, err
	}
	to, err := choice("receiver-type", toType, addressTypes...)
	if err != nil {
		return mimecast.PolicySpec{}, err
	}
	spec := mimecast.PolicySpec{Option: mimecast.PolicyOption(opt), Description: desc, FromType: mimecast.AddressType(from), FromValue: fromValue,
		ToType: mimecast.AddressType(to), ToValue: toValue, SourceIPs: ips}
	if fromPart != "" {
		part, err := choice("addresses-based-on", fromPart, "envelope_from", "header_from", "both")
		if err != nil {
			return spec, err
		}
		spec.FromPart = mimecast.FromPart(part)
	}
	if err := spec.Validate(); err != nil {
		return spec, badUsage{err}
	}
	return spec, nil
}

// policyGuard applies the block guardrails to a policy that blocks an
// address or a whole domain.
func policyGuard(g *gatewayCall, spec mimecast.PolicySpec, detail string) (string, error) {
	if spec.Option != mimecast.OptionBlockSender {
		return detail, nil
	}
	var p block.Plan
	switch spec.FromType {
	case mimecast.IndividualEmailAddress:
		p = block.Plan{Option: block.Option{Method: block.MimecastPolicy}, Entries: []string{spec.FromValue}}
	case mimecast.EmailDomain:
		p = block.Plan{Option: block.Option{Method: block.MimecastPolicyDomain}, Entries: []string{spec.FromValue}}
	default:
		return detail, nil
	}
	return g.guarded(p, detail)
}
