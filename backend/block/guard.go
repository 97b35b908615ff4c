package block

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// Guardrails stop a block that would hurt the organisation more than the
// phish: blocking a colleague who reported it, one of our own or a
// protected domain, or a whole consumer mail provider. They live here, in
// the backend, so that the console and the headless commands obey them
// alike; the analyst may still go ahead by typing the domain concerned.
type Guardrails struct {
	// Reporters are the addresses that reported the messages (never
	// block targets).
	Reporters []string
	// Internal and Protected are [analysis] internal_domains and
	// protected_domains; Own are the accounts' own domains.
	Internal, Protected, Own []string
}

// Concern is one reason a plan is refused, and what the analyst types to
// go ahead anyway.
type Concern struct {
	Entry  string // the plan entry concerned
	Why    string
	Domain string // typed to confirm
}

//go:embed freemail.txt
var freemailList string

var freemail = func() map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(freemailList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out[strings.ToLower(l)] = true
		}
	}
	return out
}()

// FreeMail reports a large consumer mail provider's domain.
func FreeMail(domain string) bool { return freemail[strings.ToLower(strings.TrimSuffix(domain, "."))] }

// Check lists what is wrong with plan p; none means it may go ahead.
func (g Guardrails) Check(p Plan) []Concern {
	var out []Concern
	wholeDomain := p.Option.Method == MimecastPolicyDomain || p.Option.Method == FortiSystemDomain
	for i, e := range p.Entries {
		addr := e
		if p.Option.Method == MimecastManaged && i < len(p.Pairs) {
			addr = p.Pairs[i].Address
		}
		addr = strings.ToLower(strings.TrimPrefix(addr, "*@"))
		domain := addr
		if _, d, ok := strings.Cut(addr, "@"); ok {
			domain = d
		}
		switch {
		case slices.ContainsFunc(g.Reporters, func(r string) bool { return strings.EqualFold(r, addr) }):
			out = append(out, Concern{Entry: e, Domain: domain, Why: addr + " reported this message: a reporter is never a block target"})
		case within(domain, g.Own):
			out = append(out, Concern{Entry: e, Domain: domain, Why: domain + " is this mailbox's own domain"})
		case within(domain, g.Internal):
			out = append(out, Concern{Entry: e, Domain: domain, Why: domain + " is an internal domain ([analysis] internal_domains)"})
		case within(domain, g.Protected):
			out = append(out, Concern{Entry: e, Domain: domain, Why: domain + " is a protected domain ([analysis] protected_domains)"})
		case wholeDomain && FreeMail(domain):
			out = append(out, Concern{Entry: e, Domain: domain, Why: fmt.Sprintf("%s is a consumer mail provider: blocking the whole domain blocks everyone who uses it", domain)})
		}
	}
	return out
}

// Confirmed reports whether typed names the domain of every concern, as
// the analyst's explicit go-ahead.
func Confirmed(concerns []Concern, typed string) bool {
	typed = strings.ToLower(strings.TrimSpace(typed))
	for _, c := range concerns {
		if typed != c.Domain {
			return false
		}
	}
	return len(concerns) > 0
}

// within reports domain equal to, or a subdomain of, one of domains.
func within(domain string, domains []string) bool {
	domain = strings.ToLower(domain)
	for _, d := range domains {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d != "" && (domain == d || strings.HasSuffix(domain, "."+d)) {
			return true
		}
	}
	return false
}
