// Package block turns "block this sender" into concrete changes on the
// configured gateways (Mimecast, FortiMail), shown as a plan before it is
// applied, applied as one audited job, and undone by removing exactly what
// was added.
package block

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/mimecast"
)

// Sender is one message sender to block and the internal recipient the
// message was for (Mimecast's managed-sender entries are per recipient).
type Sender struct {
	Address   string
	Recipient string
}

// Domain is the sender's domain, lower-case.
func (s Sender) Domain() string {
	_, d, _ := strings.Cut(strings.ToLower(s.Address), "@")
	return d
}

// Method is one way to block, on one gateway.
type Method string

// Methods.
const (
	MimecastManaged      Method = "mimecast-managed-sender"  // block sender → recipient (managed senders)
	MimecastPolicy       Method = "mimecast-policy-address"  // blocked-sender policy, sender address, everyone
	MimecastPolicyDomain Method = "mimecast-policy-domain"   // blocked-sender policy, sender domain, everyone
	FortiSystem          Method = "fortimail-system-address" // system block list, address
	FortiSystemDomain    Method = "fortimail-system-domain"  // system block list, *@domain
	FortiSession         Method = "fortimail-session-profile"
)

// Option is a method offered for the configured gateways.
type Option struct {
	Method  Method
	Label   string
	Profile string // FortiSession: the session profile
}

// Gateways are the clients the plan may use.
type Gateways struct {
	Mimecast  *mimecast.Client
	FortiMail *fortimail.Client
}

// Options lists the methods the configured gateways offer; FortiMail
// session profiles are passed in (the caller lists them once).
func Options(g Gateways, sessionProfiles []string) []Option {
	var out []Option
	if g.Mimecast != nil {
		out = append(out,
			Option{Method: MimecastManaged, Label: "Mimecast: block sender → recipient (managed senders)"},
			Option{Method: MimecastPolicy, Label: "Mimecast: blocked-sender policy for the address, everyone"},
			Option{Method: MimecastPolicyDomain, Label: "Mimecast: blocked-sender policy for the domain, everyone"},
		)
	}
	if g.FortiMail != nil {
		out = append(out,
			Option{Method: FortiSystem, Label: "FortiMail: system block list, address"},
			Option{Method: FortiSystemDomain, Label: "FortiMail: system block list, whole domain (*@domain)"},
		)
		for _, p := range sessionProfiles {
			out = append(out, Option{Method: FortiSession, Profile: p, Label: "FortiMail: block list of session profile " + p})
		}
	}
	return out
}

// Plan is what a block will do, before it is done.
type Plan struct {
	Option  Option
	Entries []string // what goes on the list / into policies, deduplicated
	Pairs   []Sender // MimecastManaged: sender → recipient
	Reason  string   // description for policies and audit
}

// NewPlan works out the entries for senders with option.
func NewPlan(opt Option, senders []Sender, reason string) (Plan, error) {
	p := Plan{Option: opt, Reason: reason}
	seen := map[string]bool{}
	add := func(e string) {
		if e != "" && !seen[e] {
			seen[e] = true
			p.Entries = append(p.Entries, e)
		}
	}
	for _, s := range senders {
		addr := strings.ToLower(strings.TrimSpace(s.Address))
		if !strings.Contains(addr, "@") || strings.ContainsAny(addr, " \t\r\n<>\"") {
			return p, fmt.Errorf("%q is not a sender address that can be blocked", s.Address)
		}
		switch opt.Method {
		case MimecastPolicyDomain:
			add(s.Domain())
		case FortiSystemDomain:
			add("*@" + s.Domain())
		case MimecastManaged:
			if s.Recipient == "" {
				return p, fmt.Errorf("no recipient known for %s (Mimecast managed senders are per recipient)", addr)
			}
			key := addr + " → " + strings.ToLower(s.Recipient)
			if !seen[key] {
				seen[key] = true
				p.Pairs = append(p.Pairs, Sender{Address: addr, Recipient: strings.ToLower(s.Recipient)})
				p.Entries = append(p.Entries, key)
			}
		default:
			add(addr)
		}
	}
	if len(p.Entries) == 0 {
		return p, errors.New("no sender to block")
	}
	return p, nil
}

// Summary is the plan in one line, for the confirmation.
func (p Plan) Summary() string {
	n := len(p.Entries)
	shown := p.Entries
	if len(shown) > 5 {
		shown = shown[:5]
	}
	more := ""
	if n > len(shown) {
		more = fmt.Sprintf(" and %d more", n-len(shown))
	}
	return fmt.Sprintf("%s — %d %s: %s%s", p.Option.Label, n, plural(n, "entry", "entries"), strings.Join(shown, ", "), more)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Applied records what a plan created, for undo.
type Applied struct {
	Plan     Plan
	Policies []string // Mimecast policy ids created
	Added    []string // list entries added (FortiMail) or pairs blocked (Mimecast managed)
}

// Apply carries the plan out. On failure part-way, Applied holds what was
// done so far, so it can still be undone.
func Apply(ctx context.Context, g Gateways, p Plan) (Applied, error) {
	a := Applied{Plan: p}
	switch p.Option.Method {
	case MimecastManaged, MimecastPolicy, MimecastPolicyDomain:
		if g.Mimecast == nil {
			return a, errors.New("no Mimecast gateway is configured")
		}
		return a, applyMimecast(ctx, g.Mimecast, p, &a)
	case FortiSystem, FortiSystemDomain, FortiSession:
		if g.FortiMail == nil {
			return a, errors.New("no FortiMail gateway is configured")
		}
		return a, applyFortiMail(ctx, g.FortiMail, p, &a)
	}
	return a, fmt.Errorf("unknown block method %q", p.Option.Method)
}

func applyMimecast(ctx context.Context, c *mimecast.Client, p Plan, a *Applied) error {
	if p.Option.Method == MimecastManaged {
		for i, s := range p.Pairs {
			if _, err := c.BlockSender(ctx, s.Address, s.Recipient); err != nil {
				return fmt.Errorf("block %s → %s: %w", s.Address, s.Recipient, err)
			}
			a.Added = append(a.Added, p.Entries[i])
		}
		return nil
	}
	for _, e := range p.Entries {
		spec := mimecast.PolicySpec{Option: mimecast.OptionBlockSender, Description: policyDescription(p.Reason, e), ToType: mimecast.Everyone}
		if p.Option.Method == MimecastPolicyDomain {
			spec.FromType, spec.FromValue = mimecast.EmailDomain, e
		} else {
			spec.FromType, spec.FromValue = mimecast.IndividualEmailAddress, e
		}
		pol, err := c.CreatePolicy(ctx, spec)
		if err != nil {
			return fmt.Errorf("policy for %s: %w", e, err)
		}
		a.Policies = append(a.Policies, pol.ID)
		a.Added = append(a.Added, e)
	}
	return nil
}

func policyDescription(reason, entry string) string {
	d := "mailtriage block of " + entry
	if reason != "" {
		d += ": " + reason
	}
	if len(d) > 200 {
		d = d[:200]
	}
	return d
}

func applyFortiMail(ctx context.Context, c *fortimail.Client, p Plan, a *Applied) error {
	if p.Option.Method == FortiSession {
		for _, e := range p.Entries {
			if err := c.AddSessionListEntry(ctx, p.Option.Profile, fortimail.SessionSenderBlockList, e); err != nil {
				return err
			}
			a.Added = append(a.Added, e)
		}
		return nil
	}
	// Only what is not on the list yet is added, so undo never removes an
	// entry someone else put there.
	have, err := c.SenderList(ctx, "", fortimail.BlockList)
	if err != nil {
		return err
	}
	var add []string
	for _, e := range p.Entries {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, e) }) {
			add = append(add, e)
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := c.AddToSenderList(ctx, "", fortimail.BlockList, add...); err != nil {
		return err
	}
	a.Added = add
	return nil
}

// Undo removes what Apply created: Mimecast policies are deleted, managed
// sender blocks are turned into permits (Mimecast has no delete for them),
// FortiMail entries are removed.
func Undo(ctx context.Context, g Gateways, a Applied) error {
	switch a.Plan.Option.Method {
	case MimecastPolicy, MimecastPolicyDomain:
		for _, id := range a.Policies {
			if err := g.Mimecast.DeletePolicy(ctx, id); err != nil && !errors.Is(err, mimecast.ErrNotFound) {
				return err
			}
		}
	case MimecastManaged:
		for _, s := range a.Plan.Pairs[:len(a.Added)] {
			if _, err := g.Mimecast.PermitSender(ctx, s.Address, s.Recipient); err != nil {
				return err
			}
		}
	case FortiSession:
		for _, e := range a.Added {
			if err := g.FortiMail.RemoveSessionListEntry(ctx, a.Plan.Option.Profile, fortimail.SessionSenderBlockList, e); err != nil && !errors.Is(err, fortimail.ErrNotFound) {
				return err
			}
		}
	case FortiSystem, FortiSystemDomain:
		if len(a.Added) > 0 {
			return g.FortiMail.RemoveFromSenderList(ctx, "", fortimail.BlockList, a.Added...)
		}
	}
	return nil
}
