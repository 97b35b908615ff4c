package fortimail

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// domainsTab lists the protected domains (and the system level); a domain
// opens on its antispam profiles and recipient policies.
type domainsTab struct {
	domains []bfm.Domain
	cur     cursor
	done    bool
	loading bool
	err     error
	listReq common.Slot

	// The open domain ("system" for system-wide ones); "" shows the list.
	open     string
	profiles []bfm.ProfileSummary
	policies []bfm.RecipientPolicy
	dDone    bool
	dLoading bool
	dErr     error
	openReq  common.Slot
	dcur     cursor
	dtop     int

	// policy is the recipient policy shown in full, if any.
	policy *bfm.RecipientPolicy
	scroll scroller
}

type domainsMsg struct {
	ticket  common.Ticket
	domains []bfm.Domain
	err     error
}

type domainMsg struct {
	ticket   common.Ticket
	profiles []bfm.ProfileSummary
	policies []bfm.RecipientPolicy
	err      error
}

func (t *domainsTab) loaded() bool { return t.done }
func (t *domainsTab) busy() bool   { return t.loading || t.dLoading }

func (t *domainsTab) crumbs() string {
	s := "Domains"
	if t.open != "" {
		s += " › " + t.open
	}
	if t.policy != nil {
		s += fmt.Sprintf(" › recipient policy %d", t.policy.ID)
	}
	return s
}

func (t *domainsTab) summary() string {
	if t.open != "" && t.dDone {
		return fmt.Sprintf("%s: %d antispam profiles · %d recipient policies", t.open, len(t.profiles), len(t.policies))
	}
	if t.done {
		return fmt.Sprintf("%d domains", len(t.domains))
	}
	return ""
}

func (t *domainsTab) load(m *Model) tea.Cmd {
	t.loading, t.err = true, nil
	cmd := load(m, &t.listReq, "list domains", func(ctx context.Context, c Gateway) ([]bfm.Domain, error) {
		return c.ListDomains(ctx)
	}, func(tk common.Ticket, d []bfm.Domain, err error) tea.Msg {
		return domainsMsg{ticket: tk, domains: d, err: err}
	})
	if t.open != "" {
		return tea.Batch(cmd, t.loadDomain(m))
	}
	return cmd
}

// loadDomain fetches the open domain's antispam profiles and recipient
// policies together.
func (t *domainsTab) loadDomain(m *Model) tea.Cmd {
	name := t.open
	t.dLoading, t.dErr = true, nil
	return load(m, &t.openReq, "antispam profiles and recipient policies of "+name, func(ctx context.Context, c Gateway) (domainMsg, error) {
		profiles, err := c.ListAntispamProfiles(ctx, name)
		if err != nil {
			return domainMsg{}, err
		}
		policies, err := c.ListRecipientPolicies(ctx, name)
		return domainMsg{profiles: profiles, policies: policies}, err
	}, func(tk common.Ticket, v domainMsg, err error) tea.Msg {
		v.ticket, v.err = tk, err
		return v
	})
}

func (t *domainsTab) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case domainsMsg:
		if !msg.ticket.Current() {
			return nil
		}
		t.loading = false
		if msg.err != nil {
			t.err = msg.err
			return failed("domains", msg.err)
		}
		t.domains, t.done = msg.domains, true
		t.cur.clamp(len(t.domains) + 1)
	case domainMsg:
		if !msg.ticket.Current() {
			return nil
		}
		t.dLoading = false
		if msg.err != nil {
			t.dErr = msg.err
			return failed("domain "+t.open, msg.err)
		}
		t.profiles, t.policies, t.dDone = msg.profiles, msg.policies, true
		t.dcur.clamp(len(t.profiles) + len(t.policies))
	}
	return nil
}

// rowName is the name of list row i: the system level first, then the
// domains.
func (t *domainsTab) rowName(i int) string {
	if i == 0 {
		return bfm.System
	}
	return t.domains[i-1].Name
}

func (t *domainsTab) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case t.policy != nil:
		if key.Matches(k, km.Back) {
			t.policy = nil
			return nil
		}
		t.scroll.key(m, k, len(t.policyLines(m)), m.bodyHeight())
		return nil
	case t.open != "":
		n := len(t.profiles) + len(t.policies)
		if m.navigate(k, &t.dcur, n) {
			return nil
		}
		switch {
		case key.Matches(k, km.Back):
			t.openReq.Cancel() // the domain is closed: its answer is not wanted
			t.open, t.dDone, t.dLoading = "", false, false
			t.profiles, t.policies = nil, nil
		case key.Matches(k, km.Open) && t.dcur.pos < len(t.profiles):
			m.cur = tabAntispam
			return m.antispam.openProfile(m, t.open, t.profiles[t.dcur.pos].Name)
		case key.Matches(k, km.Open) && t.dcur.pos < n:
			p := t.policies[t.dcur.pos-len(t.profiles)]
			t.policy, t.scroll = &p, scroller{}
		}
		return nil
	}
	if !t.done {
		return nil
	}
	if m.navigate(k, &t.cur, len(t.domains)+1) {
		return nil
	}
	if key.Matches(k, km.Open) {
		t.open, t.dDone, t.dcur, t.dtop = t.rowName(t.cur.pos), false, cursor{}, 0
		return t.loadDomain(m)
	}
	return nil
}

func (t *domainsTab) render(m *Model, h int) []string {
	switch {
	case t.policy != nil:
		return t.scroll.window(t.policyLines(m), h)
	case t.open != "":
		return t.renderDomain(m, h)
	case !t.done && t.err != nil:
		return m.errorLines("domains", t.err)
	case !t.done:
		return []string{m.loadingLine("domains")}
	}
	cols := func(name, server, kind string) []column {
		return []column{{plain(" "), 1}, {txt(name), 28}, {txt(server), 26}, {txt(kind), 0}}
	}
	out := []string{m.header(cols("Domain", "SMTP server", "Kind"))}
	out = append(out, m.table(h-1, &t.cur, len(t.domains)+1, "", func(i int, sel bool) string {
		if i == 0 {
			return m.row(cols(bfm.System, "—", "system-wide profiles and policies"), sel)
		}
		d := t.domains[i-1]
		server := d.Host
		if d.Port != 0 {
			server = fmt.Sprintf("%s:%d", d.Host, d.Port)
		}
		if d.UseSSL {
			server += " (SMTPS)"
		}
		return m.row(cols(d.Name, server, domainKind(d)), sel)
	})...)
	return out
}

func domainKind(d bfm.Domain) string {
	switch {
	case d.IsSubdomain && d.MainDomain != "":
		return "subdomain of " + d.MainDomain
	case d.IsSubdomain:
		return "subdomain"
	case d.IsAssociation:
		return "associated domain"
	case d.IsServiceDomain:
		return "service domain"
	}
	return "protected domain"
}

// renderDomain draws the domain's antispam profiles, then its recipient
// policies; one cursor runs over both.
func (t *domainsTab) renderDomain(m *Model, h int) []string {
	st := m.c.Styles
	switch {
	case !t.dDone && t.dErr != nil:
		return m.errorLines("domain "+t.open, t.dErr)
	case !t.dDone:
		return []string{m.loadingLine("antispam profiles and recipient policies")}
	}
	var lines []string
	itemLine := make([]int, 0, len(t.profiles)+len(t.policies))
	lines = append(lines, st.Title.Render(fmt.Sprintf(" Antispam profiles (%d)", len(t.profiles))))
	pcols := func(name, used, comment string) []column {
		return []column{{plain(" "), 1}, {txt(name), 24}, {txt(used), 14}, {txt(comment), 0}}
	}
	if len(t.profiles) == 0 {
		lines = append(lines, st.Muted.Render(" none at this level"))
	} else {
		lines = append(lines, m.header(pcols("Name", "Used by", "Comment")))
	}
	for i, p := range t.profiles {
		itemLine = append(itemLine, len(lines))
		lines = append(lines, m.row(pcols(p.Name, policies(p.References), p.Comment), i == t.dcur.pos))
	}
	lines = append(lines, "", st.Title.Render(fmt.Sprintf(" Recipient policies (%d)", len(t.policies))))
	rest := max(m.width-64, 16)
	qcols := func(id, dir, on, from, to, as, other string) []column {
		return []column{{plain(" "), 1}, {txt(id), 3}, {txt(dir), 8}, {txt(on), 3}, {txt(from), 20}, {txt(to), 20},
			{txt(as), min(rest, 28)}, {txt(other), 0}}
	}
	if len(t.policies) == 0 {
		lines = append(lines, st.Muted.Render(" none"))
	} else {
		lines = append(lines, m.header(qcols("ID", "Dir", "On", "Sender", "Recipient", "Antispam", "Other profiles")))
	}
	for i, p := range t.policies {
		itemLine = append(itemLine, len(lines))
		on := "no"
		if p.Enabled {
			on = "yes"
		}
		sel := len(t.profiles)+i == t.dcur.pos
		lines = append(lines, m.row(qcols(fmt.Sprint(p.ID), p.Direction.String(), on,
			party(p.SenderType, p.SenderPattern, p.SenderDomain, p.SenderAddressGroup),
			party(p.RecipientType, p.RecipientPattern, p.RecipientDomain, p.RecipientGroup+p.RecipientLDAP),
			orDash(p.AntispamProfile), otherProfiles(p)), sel))
	}
	focus := 0
	if t.dcur.pos < len(itemLine) {
		focus = itemLine[t.dcur.pos]
	}
	return windowAround(lines, focus, h, &t.dtop)
}

// windowAround shows h of lines, scrolling just enough to keep line focus
// in view.
func windowAround(lines []string, focus, h int, top *int) []string {
	if focus < *top {
		*top = focus
	}
	if focus >= *top+h {
		*top = focus - h + 1
	}
	*top = max(min(*top, len(lines)-h), 0)
	return lines[*top:min(*top+h, len(lines))]
}

// party describes a policy's sender or recipient match.
func party(typ int, pattern, domain, group string) string {
	switch typ {
	case 2:
		return "LDAP " + group
	case 3:
		return "group " + group
	case 4:
		return "regex " + pattern
	}
	switch {
	case pattern == "" && domain == "":
		return "any"
	case pattern == "":
		pattern = "*"
	}
	if domain != "" && !strings.Contains(pattern, "@") {
		return pattern + "@" + domain
	}
	return pattern
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func otherProfiles(p bfm.RecipientPolicy) string {
	var parts []string
	for _, x := range []struct{ label, name string }{
		{"AV", p.AntivirusProfile}, {"content", p.ContentProfile}, {"DLP", p.DLPProfile}, {"resource", p.ResourceProfile},
	} {
		if x.name != "" {
			parts = append(parts, x.label+" "+x.name)
		}
	}
	return strings.Join(parts, ", ")
}

func (t *domainsTab) policyLines(m *Model) []string {
	p := *t.policy
	return m.detailLines(bfm.Fields[bfm.RecipientPolicy](), func(n string) (any, bool) { return bfm.FieldValue(p, n) }, extraOf(p))
}

func (t *domainsTab) help(m *Model) []key.Binding {
	k := m.keys
	if t.open != "" || t.policy != nil {
		return []key.Binding{k.Open, k.Back, k.Down, k.Up, k.NextTab, k.Reload}
	}
	return []key.Binding{k.Open, k.Down, k.Up, k.NextTab, k.PrevTab, k.Reload}
}
