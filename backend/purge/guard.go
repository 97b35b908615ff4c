package purge

import (
	"fmt"
	"slices"
	"strings"
)

// Guard stops a purge that could hurt more than the phish: a message
// from one of the organisation's own, internal or protected domains may
// be a real announcement someone reported by mistake, and purging it
// from every mailbox is not undone by asking. It lives in the backend so
// the console and the headless command obey it alike; the analyst goes
// ahead by typing the domain concerned (Confirm).
type Guard struct {
	// Internal and Protected are [analysis] internal_domains and
	// protected_domains; Own are the accounts' own domains.
	Internal, Protected, Own []string
}

// Concern is one reason a purge is stopped, and the domain to type to go
// ahead anyway.
type Concern struct {
	Domain string `json:"domain"`
	Why    string `json:"why"`
}

// Check lists what stops the plan's purge; none means it may go ahead.
// It looks at the senders of the copies found.
func (g Guard) Check(p *Plan) []Concern {
	var out []Concern
	seen := map[string]bool{}
	for _, sender := range p.Senders() {
		_, domain, ok := strings.Cut(strings.ToLower(sender), "@")
		if !ok || seen[domain] {
			continue
		}
		seen[domain] = true
		switch {
		case within(domain, g.Own):
			out = append(out, Concern{Domain: domain, Why: "it comes from " + domain + ", this mailbox's own domain"})
		case within(domain, g.Internal):
			out = append(out, Concern{Domain: domain, Why: "it comes from " + domain + ", an internal domain ([analysis] internal_domains)"})
		case within(domain, g.Protected):
			out = append(out, Concern{Domain: domain, Why: "it comes from " + domain + ", a protected domain ([analysis] protected_domains)"})
		}
	}
	return out
}

// within reports domain is one of list or below one of them.
func within(domain string, list []string) bool {
	return slices.ContainsFunc(list, func(d string) bool {
		d = strings.ToLower(strings.Trim(strings.TrimSpace(d), "."))
		return d != "" && (domain == d || strings.HasSuffix(domain, "."+d))
	})
}

// confirmed reports typed names the domain of every concern.
func confirmed(concerns []Concern, typed string) bool {
	typed = strings.ToLower(strings.TrimSpace(typed))
	for _, c := range concerns {
		if c.Domain != typed {
			return false
		}
	}
	return true
}

// GuardError refuses a purge the guard stops; it says why and what to
// type to go ahead.
type GuardError struct{ Concerns []Concern }

func (e *GuardError) Error() string {
	whys := make([]string, len(e.Concerns))
	for i, c := range e.Concerns {
		whys[i] = c.Why
	}
	return "not purged: " + strings.Join(whys, "; ") + " (type the domain to purge anyway)"
}

// guarded checks p against g; with the domain typed it returns what the
// audit records add about the override.
func guarded(g Guard, p *Plan, typed string) (string, error) {
	concerns := g.Check(p)
	if len(concerns) == 0 {
		return "", nil
	}
	if !confirmed(concerns, typed) {
		return "", &GuardError{Concerns: concerns}
	}
	return fmt.Sprintf(" — guardrail overridden by typing %s: %s", concerns[0].Domain, concerns[0].Why), nil
}

// Senders lists the senders of the copies found, each once.
func (p *Plan) Senders() []string {
	var out []string
	for _, b := range p.Boxes {
		for _, c := range b.Copies {
			if c.From != "" && !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, c.From) }) {
				out = append(out, c.From)
			}
		}
	}
	return out
}
